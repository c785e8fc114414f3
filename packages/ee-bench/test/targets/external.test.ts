/**
 * `http` rows against servers the suite did not start (the vLLM row's shape): this test starts two
 * `ee serve` children itself — plain llama-tiny (no tokenizer) and encrypted llama-tiny — writes a
 * suite file whose row points at them over real loopback HTTP, and runs it. The suite builds and
 * encrypts nothing; the EE outputs, decrypted by the client, equal the plain server's. Wrong keys,
 * a wrong preset, missing files and a dead server fail naming the suite field or the row and URL.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveBenchDataDir } from "../../src/paths.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { loadSuite } from "../../src/suite/load.js";
import { parseSuite } from "../../src/suite/schema.js";
import { modelTargetFactory } from "../../src/targets/factory.js";
import { validateModelRows } from "../../src/targets/validate-rows.js";
import type {
  BenchTarget,
  SuiteRow,
  TargetFactory,
  TargetFactoryContext,
  TargetOutput,
} from "../../src/types.js";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;

/** Largest allowed |log p_VI − log p_EE| of the first token's probability (from top-k log-probs, float32). */
const LOGPROB_TOL = 1e-4;

let dir: string;
const servers: ChildProcess[] = [];
const urls: { vi: string; ee: string } = { vi: "", ee: "" };

/** Start `ee serve <folder>` in `dir`; resolves with its URL. */
function serve(folder: string): Promise<string> {
  const proc = spawn(process.execPath, [EE, "serve", folder, "--port", "0"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers.push(proc);
  let out = "";
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ee serve ${folder} did not start: ${err}`)), 120_000);
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`ee serve ${folder} exited (${code}): ${err}`)));
  });
}

/** A loopback URL where nothing listens (a port the OS gave out and took back). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/** A suite file in `dir` with one external row (paths relative to the file). */
function writeSuite(
  name: string,
  external: Record<string, unknown>,
  row: Record<string, unknown> = {},
): string {
  const file = join(dir, `${name}.json`);
  const suite = {
    name,
    description: "external servers over loopback",
    rows: [
      {
        id: "llama-external",
        label: "llama-tiny over the wire",
        model: "llama-tiny",
        task: "generate",
        datasets: [{ name: "mt-bench", count: 4 }],
        batchSize: 4,
        maxLength: 16,
        maxNewTokens: 4,
        repetitions: 3,
        warmup: 1,
        engine: "http",
        engineOptions: { extra: { concurrency: 4 } },
        servers: { external },
        ...row,
      },
    ],
  };
  writeFileSync(file, JSON.stringify(suite, null, 2));
  return file;
}

const ctx = (): TargetFactoryContext => ({
  cacheDir: join(dir, ".cache"),
  dataDir: resolveBenchDataDir(),
  device: "cpu",
  log: () => {},
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-bench-external-"));
  await run(process.execPath, [EE, "build", "llama-tiny", "--out", "plain", "--seed", "7"], { cwd: dir });
  mkdirSync(join(dir, "client"));
  await run(process.execPath, [EE, "encrypt", "plain", "--out", "enc", "--key", "client/key.safetensors"], {
    cwd: dir,
  });
  // a second encryption of the same model: its key does not fit "enc"
  await run(
    process.execPath,
    [EE, "encrypt", "plain", "--out", "enc2", "--key", "client/other.safetensors"],
    {
      cwd: dir,
    },
  );
  [urls.vi, urls.ee] = await Promise.all([serve("plain"), serve("enc")]);
}, 300_000);

afterAll(async () => {
  await Promise.all(
    servers.map(
      (p) =>
        new Promise<void>((r) => {
          if (p.exitCode !== null || p.signalCode !== null) return r();
          p.once("exit", () => r());
          p.kill("SIGTERM");
        }),
    ),
  );
});

/** `modelTargetFactory`, keeping every output of every call by side and sample id. */
function recordingFactory(seen: Record<"vi" | "ee", Map<string, TargetOutput>>): TargetFactory {
  const wrap = (t: BenchTarget): BenchTarget => ({
    ...t,
    kind: t.kind,
    async run(batch) {
      const out = await t.run(batch);
      batch.forEach((s, i) => {
        seen[t.kind].set(s.id, out[i]);
      });
      return out;
    },
  });
  return async (row, c) => {
    const pair = await modelTargetFactory(row, c);
    return { ...pair, vi: wrap(pair.vi), ee: wrap(pair.ee) };
  };
}

describe("http rows against external OpenAI-compatible servers", () => {
  it("runs a suite file's external row: decrypted EE outputs equal the plain server's, nothing built", async () => {
    const file = writeSuite("external-tiny", {
      vi: urls.vi,
      ee: urls.ee,
      encryptedFolder: "enc",
      key: "client/key.safetensors",
    });
    const suite = loadSuite(file);
    const servers = suite.rows[0].servers;
    expect(servers).toMatchObject({ kind: "external", encryptedFolder: join(dir, "enc") });
    validateModelRows(suite);
    const seen = { vi: new Map<string, TargetOutput>(), ee: new Map<string, TargetOutput>() };
    const reportsDir = join(dir, "reports");
    const { summary } = await runSuite({
      suite,
      factory: recordingFactory(seen),
      dataDir: resolveBenchDataDir(),
      reportsDir,
      cacheDir: ctx().cacheDir,
      render: false,
      progressStream: { write: () => true },
      log: () => {},
    });
    expect(seen.vi.size).toBe(4);
    expect([...seen.ee.keys()].sort()).toEqual([...seen.vi.keys()].sort());
    for (const [id, vi] of seen.vi) {
      const ee = seen.ee.get(id)!;
      expect(vi.tokens).toHaveLength(4);
      expect(ee.tokens).toEqual(vi.tokens); // greedy ids, decrypted
      expect(ee.predicted).toBe(vi.predicted);
      expect(vi.confidence).toBeGreaterThan(0); // the first token is among the returned top-k
      expect(Math.abs(Math.log(ee.confidence) - Math.log(vi.confidence))).toBeLessThanOrEqual(LOGPROB_TOL);
    }
    const r = summary.rows[0];
    expect(r.argmaxAgreementPct).toBe(100);
    expect(r.serving?.ee.throughputTokPerS).toBeGreaterThan(0);
    const runDir = join(reportsDir, readdirSync(reportsDir).find((d) => d.startsWith("external-tiny"))!);
    expect(summary.rows[0].runtime).toBe(
      `external OpenAI-compatible servers (VI ${urls.vi}, EE ${urls.ee}; 4 concurrent)`,
    );
    expect(existsSync(runDir)).toBe(true);
    expect(existsSync(join(ctx().cacheDir, "models"))).toBe(false); // no model built or encrypted
  }, 300_000);

  it("refuses a key that is not the encrypted folder's, naming the suite field", async () => {
    const file = writeSuite("wrong-key", {
      vi: urls.vi,
      ee: urls.ee,
      encryptedFolder: "enc",
      key: "client/other.safetensors",
    });
    const row = loadSuite(file).rows[0];
    await expect(modelTargetFactory(row, ctx())).rejects.toThrow(
      /wrong-key\.json: \/rows\/0\/servers\/external\/key: key file .*other\.safetensors .* is not the key .*enc was encrypted with/,
    );
  });

  it("swapped servers are caught where the servers say what they serve (ee serve publishes ee.json's fingerprint)", async () => {
    const swapped = { vi: urls.ee, ee: urls.vi, encryptedFolder: "enc", key: "client/key.safetensors" };
    const row = loadSuite(writeSuite("swapped", swapped)).rows[0];
    await expect(modelTargetFactory(row, ctx())).rejects.toThrow(
      /swapped\.json: \/rows\/0\/servers\/external\/vi: .* serves an encrypted model/,
    );
  });

  it("a server that refuses connections fails naming the row and the URL", async () => {
    const dead = await deadUrl();
    const row = loadSuite(
      writeSuite("dead", { vi: dead, ee: urls.ee, encryptedFolder: "enc", key: "client/key.safetensors" }),
    ).rows[0];
    const escaped = dead.replace(/[.:/]/g, (c) => `\\${c}`);
    await expect(modelTargetFactory(row, ctx())).rejects.toThrow(
      new RegExp(`row llama-external, VI server ${escaped}: .*${escaped}`),
    );
  });

  it("a wrong preset or a missing file fails before the run, naming the JSON path", () => {
    const ok = { vi: urls.vi, ee: urls.ee, encryptedFolder: "enc", key: "client/key.safetensors" };
    const check =
      (name: string, external: Record<string, unknown>, row: Record<string, unknown> = {}) =>
      () =>
        validateModelRows(loadSuite(writeSuite(name, external, row)));
    expect(check("vocab", ok, { model: "llama-3.1-mini" })).toThrow(
      /vocab\.json: \/rows\/0\/servers\/external\/encryptedFolder: config\.json has vocab_size 512, but row llama-external's model llama-3\.1-mini has a 128256-token vocabulary/,
    );
    expect(check("nokey", { ...ok, key: "client/none.safetensors" })).toThrow(
      /nokey\.json: \/rows\/0\/servers\/external\/key: key file .*none\.safetensors not found/,
    );
    expect(check("plainfolder", { ...ok, encryptedFolder: "plain" })).toThrow(
      /plainfolder\.json: \/rows\/0\/servers\/external\/encryptedFolder: .*plain has no ee\.json/,
    );
    expect(check("scheme", ok, { scheme: "control" })).toThrow(
      /\/rows\/0\/servers\/external\/encryptedFolder: .* scheme "full", but row llama-external says scheme "control"/,
    );
  });
});

describe("the external servers schema", () => {
  const base = {
    id: "r",
    label: "r",
    model: "llama-tiny",
    task: "generate",
    engine: "http",
    datasets: [{ name: "mt-bench", count: 1 }],
  };
  const external = { vi: "http://h:8000", ee: "http://h:8001", encryptedFolder: "enc", key: "k.safetensors" };
  const parse = (r: Record<string, unknown>) =>
    parseSuite({ name: "s", description: "d", rows: [{ ...base, ...r }] }, "/suites/s.json");

  it("resolves the paths against the suite file and keeps where the row came from", () => {
    expect(parse({ servers: { external } }).rows[0].servers).toEqual({
      kind: "external",
      vi: "http://h:8000",
      ee: "http://h:8001",
      encryptedFolder: "/suites/enc",
      key: "/suites/k.safetensors",
      at: "/suites/s.json: /rows/0/servers/external",
    });
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [
      { servers: { external: { ...external, key: undefined } } },
      /\/rows\/0\/servers\/external\/key: must be a non-empty string/,
    ],
    [
      { servers: { external: { ...external, vi: "gpu-host:8000" } } },
      /\/rows\/0\/servers\/external\/vi: "gpu-host:8000" must match/,
    ],
    [
      { servers: { external: { ...external, ee: "http://h:8000" } } },
      /\/rows\/0\/servers\/external\/ee: must differ from vi/,
    ],
    [
      { servers: { external: { ...external, tokenizer: "x" } } },
      /\/rows\/0\/servers\/external\/tokenizer: unknown field/,
    ],
    [{ servers: { external, serve: {} } }, /\/rows\/0\/servers: must be \{"serve"/],
    [
      { servers: { external }, task: "classify", model: "bert-tiny", maxNewTokens: 0 },
      /\/rows\/0\/servers\/external: external servers serve generate rows only/,
    ],
  ])("rejects %# naming the JSON path", (r, msg) => {
    expect(() => parse(r)).toThrow(msg);
  });

  it("benchmarks/vllm.json is a valid suite of one external row (placeholders, not run by default)", () => {
    const s = loadSuite("vllm");
    expect(s.rows).toHaveLength(1);
    const row: SuiteRow = s.rows[0];
    expect(row.servers?.kind).toBe("external");
    expect(row.engineOptions?.extra?.concurrency).toBe(256);
    expect(loadSuite("default").rows.some((r) => r.servers?.kind === "external")).toBe(false);
  });
});

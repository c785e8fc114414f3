/**
 * Load benchmark (not a test): `ee serve` on a plain and an encrypted Llama folder (default
 * llama-3.1-mini), each a child process on loopback, driven by the http engine with 1, 8, 32 and 128
 * concurrent clients. Per level and side: throughput (generated tokens/s), TTFT and TPOT p50/p99,
 * errors (must be 0), and each server's peak RSS (VmHWM). Plain and encrypted alternate A B B A per
 * level so that drift on a shared machine falls on both; the load average is printed with the table.
 *
 * The encrypted side goes through `EEHttpClient` (encrypt ids, send, decrypt ids), so its times include
 * the client's work and the wire both ways; the decrypted ids are compared with the plain side's.
 *
 * Usage: node packages/ee-serve/dist/bench/load.bench.js [--preset llama-3.1-mini] [--cache <dir>]
 *        [--levels 1,8,32,128] [--prompt-tokens 32] [--max-tokens 16] [--max-concurrency 8]
 *        [--threads N] [--json <file>]
 * Against servers already running (e.g. two `vllm serve`, plain and encrypted):
 *        … --plain-url http://HOST:8000 --enc-url http://HOST:8001 --key <key file>
 *          [--enc-folder <local copy of the encrypted folder, for its ee.json>] --vocab 128256
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRandom, peakRssMiB, percentile } from "ee-core";
import {
  buildModel,
  EEHttpClient,
  encryptModelFolder,
  findRepoRoot,
  getEngine,
  type HttpGenerateResult,
} from "ee-models";

const { values: a } = parseArgs({
  options: {
    preset: { type: "string", default: "llama-3.1-mini" },
    cache: { type: "string" },
    levels: { type: "string", default: "1,8,32,128" },
    "prompt-tokens": { type: "string", default: "32" },
    "max-tokens": { type: "string", default: "16" },
    "max-concurrency": { type: "string", default: "8" },
    threads: { type: "string" },
    json: { type: "string" },
    "plain-url": { type: "string" },
    "enc-url": { type: "string" },
    key: { type: "string" },
    "enc-folder": { type: "string" },
    vocab: { type: "string" },
  },
});

const root = findRepoRoot();
if (!root)
  throw new Error("load bench: run it inside the repository (it starts packages/ee-bench/bin/ee.js)");
const EE = join(root, "packages", "ee-bench", "bin", "ee.js");
const cache = a.cache ?? join(root, "reports", ".cache", `serve-load-${a.preset}`);
const levels = (a.levels as string).split(",").map(Number);
const promptTokens = Number(a["prompt-tokens"]);
const maxTokens = Number(a["max-tokens"]);

/** One server: its URL, and its process when this script started it. */
interface Child {
  proc: ChildProcess | null;
  url: string;
}

/** Opens a client with `c` requests in flight, returning how it generates from plain prompts (opened before timing). */
type Side = (c: number) => Promise<(prompts: number[][]) => Promise<HttpGenerateResult>>;

async function prepare(): Promise<{ plain: string; enc: string; vocab: number; keyPath: string }> {
  const plain = join(cache, "plain");
  const enc = join(cache, "enc");
  if (!existsSync(join(plain, "config.json"))) {
    process.stderr.write(`building ${a.preset} (no tokenizer) in ${plain}…\n`);
    await buildModel({ preset: a.preset, outDir: plain, seed: 1, tokenizer: null, saveWeights: true });
  }
  if (!existsSync(join(enc, "ee.json"))) {
    process.stderr.write(`encrypting into ${enc}…\n`);
    mkdirSync(join(cache, "client"), { recursive: true });
    await encryptModelFolder(plain, enc, {
      keyPath: join(cache, "client", "key.safetensors"),
      scheme: "full",
    });
  }
  const vocab = (JSON.parse(readFileSync(join(plain, "config.json"), "utf8")) as { vocab_size: number })
    .vocab_size;
  return { plain, enc, vocab, keyPath: join(cache, "client", "key.safetensors") };
}

function startServer(folder: string): Promise<Child> {
  const args = [
    EE,
    "serve",
    folder,
    "--port",
    "0",
    "--max-concurrency",
    String(a["max-concurrency"]),
    "--max-queue",
    "4096",
  ];
  if (a.threads) args.push("--threads", String(a.threads));
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.stderr?.on("data", (d: Buffer) => process.stderr.write(d));
    proc.on("exit", (code) => reject(new Error(`ee serve ${folder} exited with ${code} before listening`)));
  });
}

/** Peak resident set of the server (MiB): the largest VmHWM in its process tree (`ee` re-launches itself); null when not started here. */
function serverPeakRssMiB(proc: ChildProcess | null): number | null {
  return proc?.pid ? peakRssMiB(proc.pid) : null;
}

function plainSide(url: string): Side {
  return async (c) => {
    const engine = await getEngine("http").open("", { extra: { endpoint: url, concurrency: c } });
    return async (prompts) =>
      (await engine.generate(prompts, {
        maxNewTokens: maxTokens,
        firstStep: { topK: 1 },
      })) as HttpGenerateResult;
  };
}

function encSide(url: string, keyPath: string, folder: string | undefined): Side {
  return async (c) => {
    const client = await EEHttpClient.open({ endpoint: url, keyPath, folder, concurrency: c });
    return (prompts) => client.generate(prompts, { maxNewTokens: maxTokens, topK: 1 });
  };
}

/** One level on one side: `prompts.length` requests, `c` in flight. */
async function measure(side: Side, c: number, prompts: number[][]) {
  const run = await side(c);
  const t0 = performance.now();
  let result: HttpGenerateResult | null = null;
  let errors = 0;
  let message = "";
  try {
    result = await run(prompts);
  } catch (e) {
    errors = prompts.length;
    message = (e as Error).message;
  }
  const wallMs = performance.now() - t0;
  if (!result)
    return {
      wallMs,
      tokens: 0,
      ttft: [] as number[],
      tpot: [] as number[],
      errors,
      message,
      ids: [] as number[][],
    };
  const tokens = result.requests.reduce((s, r) => s + r.tokens, 0);
  return {
    wallMs,
    tokens,
    ttft: result.requests.map((r) => r.ttftMs),
    tpot: result.requests.flatMap((r) => (r.tpotMs === null ? [] : [r.tpotMs])),
    errors,
    message,
    ids: result.sequences.map((q) => [...q.tokenIds]),
  };
}

async function main(): Promise<void> {
  let servers: { plain: Child; enc: Child };
  let sides: { plain: Side; enc: Side };
  let vocab: number;
  if (a["plain-url"] || a["enc-url"]) {
    if (!a["plain-url"] || !a["enc-url"] || !a.key || !a.vocab)
      throw new Error("load bench: external servers need --plain-url, --enc-url, --key and --vocab");
    servers = { plain: { proc: null, url: a["plain-url"] }, enc: { proc: null, url: a["enc-url"] } };
    sides = { plain: plainSide(a["plain-url"]), enc: encSide(a["enc-url"], a.key, a["enc-folder"]) };
    vocab = Number(a.vocab);
  } else {
    const p = await prepare();
    servers = { plain: await startServer(p.plain), enc: await startServer(p.enc) };
    sides = { plain: plainSide(servers.plain.url), enc: encSide(servers.enc.url, p.keyPath, undefined) };
    vocab = p.vocab;
  }
  const rng = createRandom({ seed: "serve-load" });
  const loadBefore = loadavg();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const c of levels) {
      const n = Math.max(8, c);
      const prompts = Array.from({ length: n }, () =>
        Array.from({ length: promptTokens }, () => rng.int(vocab)),
      );
      const acc = {
        plain: [] as Awaited<ReturnType<typeof measure>>[],
        enc: [] as Awaited<ReturnType<typeof measure>>[],
      };
      for (const side of ["plain", "enc", "enc", "plain"] as const)
        acc[side].push(await measure(sides[side], c, prompts));
      const plainIds = acc.plain[0].ids;
      const same = acc.enc[0].ids.filter(
        (ids, i) => JSON.stringify(ids) === JSON.stringify(plainIds[i]),
      ).length;
      for (const side of ["plain", "enc"] as const) {
        const ms = acc[side];
        const ttft = ms.flatMap((m) => m.ttft);
        const tpot = ms.flatMap((m) => m.tpot);
        const tokens = ms.reduce((s, m) => s + m.tokens, 0);
        const wall = ms.reduce((s, m) => s + m.wallMs, 0);
        rows.push({
          concurrency: c,
          side,
          requests: n * ms.length,
          throughputTokPerS: (tokens / wall) * 1000,
          ttftP50Ms: ttft.length ? percentile(ttft, 50) : null,
          ttftP99Ms: ttft.length ? percentile(ttft, 99) : null,
          tpotP50Ms: tpot.length ? percentile(tpot, 50) : null,
          tpotP99Ms: tpot.length ? percentile(tpot, 99) : null,
          errors: ms.reduce((s, m) => s + m.errors, 0),
          firstError: ms.find((m) => m.message)?.message ?? null,
          peakRssMiB: serverPeakRssMiB(servers[side].proc),
          idsEqualPlainPct: side === "enc" && plainIds.length ? (100 * same) / plainIds.length : null,
        });
      }
      process.stderr.write(`level ${c} done\n`);
    }
  } finally {
    for (const s of Object.values(servers)) s.proc?.kill("SIGTERM");
  }
  const loadAfter = loadavg();
  const f = (x: unknown, d = 1) => (typeof x === "number" ? x.toFixed(d) : "–");
  const lines = [
    `ee serve load: ${a.preset}, ${promptTokens}-token prompts, ${maxTokens} new tokens each, server batches ≤ ${a["max-concurrency"]}; load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} → ${loadAfter.map((x) => x.toFixed(2)).join(" ")}`,
    "",
    "| clients | side | requests | tokens/s | TTFT p50 (ms) | TTFT p99 (ms) | TPOT p50 (ms) | TPOT p99 (ms) | errors | peak RSS (MiB) | ids = plain (%) |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${r.side} | ${r.requests} | ${f(r.throughputTokPerS)} | ${f(r.ttftP50Ms)} | ${f(r.ttftP99Ms)} | ${f(r.tpotP50Ms)} | ${f(r.tpotP99Ms)} | ${r.errors} | ${f(r.peakRssMiB, 0)} | ${f(r.idsEqualPlainPct)} |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  if (a.json) writeFileSync(a.json, `${JSON.stringify({ loadBefore, loadAfter, rows }, null, 2)}\n`);
  if (rows.some((r) => (r.errors as number) > 0)) process.exitCode = 1;
}

await main();

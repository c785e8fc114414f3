/**
 * The acquisition layer through its real download code, against the loopback origin that serves the
 * test data directory in the GitHub-raw layout.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OriginServer } from "../../../../scripts/origin-server.mjs";
import { acquireFiles } from "../../src/fetch/acquire.js";
import { blobPath, cacheDataDir } from "../../src/fetch/cache.js";
import { resolveDataDir } from "../../src/fetch/data-dir.js";
import { FetchError } from "../../src/fetch/errors.js";
import { loadOriginsManifest, parseOriginsManifest } from "../../src/fetch/manifest.js";
import { FAST, startDataOrigin, tempSettings } from "./helpers.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const manifest = loadOriginsManifest();
const MT = "mt_bench/question.jsonl";
const BIG = "model_files/roberta-base/tokenizer.json"; // 1,355,893 bytes
const urlPath = (p: string) => {
  const f = manifest.files.get(p)!;
  return `/${f.origin.repo}/${f.origin.commit}/${f.origin.path}`;
};

let server: OriginServer;
beforeAll(async () => {
  server = await startDataOrigin();
});
afterAll(() => server.close());

const gets = (p: string) => server.requests.filter((r) => r.method === "GET" && r.path === urlPath(p));

describe("acquireFiles from the origin", () => {
  it("cold download, then a cache hit without a request", async () => {
    const s = tempSettings(server);
    const cold = await acquireFiles([MT], { settings: s, mirror: null, manifest, ...FAST });
    expect(cold.bySource.origin).toEqual({ files: 1, bytes: 48929 });
    expect(cold.transferredBytes).toBe(48929);
    expect(cold.root).toBe(cacheDataDir(s));
    const local = join(cold.root, MT);
    expect(sha(readFileSync(local))).toBe(manifest.files.get(MT)!.sha256);
    expect(gets(MT)).toHaveLength(1);

    const warm = await acquireFiles([MT], { settings: s, mirror: null, manifest, ...FAST });
    expect(warm.bySource.cache).toEqual({ files: 1, bytes: 48929 });
    expect(warm.bySource.origin.files).toBe(0);
    expect(gets(MT)).toHaveLength(1); // no second request
  });

  it("a folder expands to its files from the manifest", async () => {
    const s = tempSettings(server);
    const r = await acquireFiles(["model_files/bert-base-uncased"], {
      settings: s,
      mirror: null,
      manifest,
      ...FAST,
    });
    expect(r.total.files).toBe(4);
    expect(readdirSync(join(r.root, "model_files/bert-base-uncased")).sort()).toEqual([
      "bert-base-uncased.json",
      "bert_base_uncased_vocab.txt",
      "config.json",
      "tokenizer_config.json",
    ]);
  });

  it("resumes with an HTTP Range after the connection is cut mid-body", async () => {
    const s = tempSettings(server);
    server.faults.cutOnce.add(urlPath(BIG));
    const before = gets(BIG).length;
    const r = await acquireFiles([BIG], { settings: s, mirror: null, manifest, ...FAST });
    const reqs = gets(BIG).slice(before);
    expect(reqs).toHaveLength(2);
    expect(reqs[0].range).toBeUndefined();
    const half = Math.floor(1355893 / 2);
    const from = Number(/^bytes=(\d+)-$/.exec(reqs[1].range ?? "")?.[1]);
    expect(from).toBeGreaterThan(0); // what had arrived before the cut …
    expect(from).toBeLessThanOrEqual(half); // … is not asked for again
    expect(r.transferredBytes).toBe(1355893); // half + the rest, nothing twice
    expect(sha(readFileSync(join(r.root, BIG)))).toBe(manifest.files.get(BIG)!.sha256);
    expect(existsSync(`${blobPath(s, manifest.files.get(BIG)!.sha256)}.incomplete`)).toBe(false);
  });

  it("a partial file and a dead process's lock left by a killed run: the lock is taken over, the rest fetched with a Range", async () => {
    const s = tempSettings(server);
    const f = manifest.files.get(BIG)!;
    const blob = blobPath(s, f.sha256);
    mkdirSync(dirname(blob), { recursive: true });
    const whole = readFileSync(join(resolveDataDir(), BIG));
    writeFileSync(`${blob}.incomplete`, whole.subarray(0, 1000));
    writeFileSync(`${blob}.lock`, "999999999"); // no such process
    const before = gets(BIG).length;
    const r = await acquireFiles([BIG], { settings: s, mirror: null, manifest, ...FAST });
    const reqs = gets(BIG).slice(before);
    expect(reqs.map((q) => q.range)).toEqual(["bytes=1000-"]);
    expect(r.transferredBytes).toBe(whole.length - 1000);
    expect(readFileSync(join(r.root, BIG)).equals(whole)).toBe(true);
    expect(readdirSync(dirname(blob))).toEqual([f.sha256]);
  });

  it("retries 503 with backoff", async () => {
    const s = tempSettings(server);
    const p = "mt_bench/judge_prompts.jsonl";
    server.faults.fail503.set(urlPath(p), 2);
    const r = await acquireFiles([p], { settings: s, mirror: null, manifest, ...FAST });
    expect(r.bySource.origin.files).toBe(1);
    expect(server.requests.filter((q) => q.path === urlPath(p))).toHaveLength(3);
  });

  it("404 is a not-found error naming the file, not retried", async () => {
    const s = tempSettings(server);
    const f = manifest.files.get(MT)!;
    const fake = parseOriginsManifest(
      `path\tbytes\tsha256\torigin_repo\torigin_path\torigin_commit\nx/missing.json\t5\t${f.sha256}\t${f.origin.repo}\tno/such/file.json\t${f.origin.commit}\n`,
      "fake.tsv",
    );
    const err = await acquireFiles(["x/missing.json"], {
      settings: s,
      mirror: null,
      manifest: fake,
      ...FAST,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).kind).toBe("not-found");
    expect((err as Error).message).toMatch(/x\/missing\.json: not found at its origin \(HTTP 404/);
    expect(server.requests.filter((q) => q.path.endsWith("no/such/file.json"))).toHaveLength(1);
  });

  it("a checksum mismatch keeps nothing and names the file, the expected and the actual sha256", async () => {
    const s = tempSettings(server);
    const p = "model_files/roberta-base/config.json";
    const f = manifest.files.get(p)!;
    const bad = Buffer.from(readFileSync(join(resolveDataDir(), p)));
    bad[0] ^= 0xff;
    server.faults.corrupt.add(urlPath(p));
    try {
      const err = await acquireFiles([p], { settings: s, mirror: null, manifest, ...FAST }).catch((e) => e);
      expect((err as FetchError).kind).toBe("checksum");
      expect((err as Error).message).toBe(
        `${p}: sha256 mismatch — expected ${f.sha256}, got ${sha(bad)}; nothing was kept`,
      );
      expect(existsSync(blobPath(s, f.sha256))).toBe(false);
      expect(existsSync(`${blobPath(s, f.sha256)}.incomplete`)).toBe(false);
      expect(existsSync(join(cacheDataDir(s), p))).toBe(false);
    } finally {
      server.faults.corrupt.delete(urlPath(p));
    }
  });

  it("offline: served from the cache without a request; a file not cached is a clear error", async () => {
    const s = tempSettings(server);
    await acquireFiles([MT], { settings: s, mirror: null, manifest, ...FAST });
    const seen = server.requests.length;
    const off = { ...s, offline: true };
    const hit = await acquireFiles([MT], { settings: off, mirror: null, manifest, ...FAST });
    expect(hit.bySource.cache.files).toBe(1);
    const err = await acquireFiles(["mt_bench/judge_prompts.jsonl"], {
      settings: off,
      mirror: null,
      manifest,
      ...FAST,
    }).catch((e) => e);
    expect((err as FetchError).kind).toBe("offline");
    expect((err as Error).message).toMatch(/offline .*mt_bench\/judge_prompts\.jsonl.*npm run ee -- fetch/);
    expect(server.requests.length).toBe(seen); // never touched the network
  });

  it("a mirror holding every file is used as is; one lacking some is merged into the cache view", async () => {
    const s = tempSettings(server);
    const mirror = { dir: resolveDataDir(), source: "option" as const };
    const whole = await acquireFiles([MT], { settings: s, mirror, manifest, ...FAST });
    expect(whole.root).toBe(mirror.dir);
    expect(whole.bySource.mirror.files).toBe(1);
    const fake = parseOriginsManifest(
      `${readFileSync(manifest.file, "utf8")}extra/q.jsonl\t48929\t${manifest.files.get(MT)!.sha256}\t${manifest.files.get(MT)!.origin.repo}\t${manifest.files.get(MT)!.origin.path}\t${manifest.files.get(MT)!.origin.commit}\n`,
      "extra.tsv",
    );
    const mixed = await acquireFiles([MT, "extra/q.jsonl"], { settings: s, mirror, manifest: fake, ...FAST });
    expect(mixed.root).toBe(cacheDataDir(s));
    expect(mixed.bySource.mirror.files).toBe(1);
    expect(mixed.bySource.origin.files).toBe(1);
    expect(readFileSync(join(mixed.root, MT)).equals(readFileSync(join(mixed.root, "extra/q.jsonl")))).toBe(
      true,
    );
  });

  it("two processes fetching the same file at once end with one correct file and one download", async () => {
    const slow = await startDataOrigin({ delayMs: 300 });
    try {
      const s = tempSettings(slow);
      const core = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
      const script = join(s.cacheDir, "..", "fetch-one.mjs");
      writeFileSync(
        script,
        `const { acquireFiles, fetchSettings } = await import(${JSON.stringify(core)});
const r = await acquireFiles([${JSON.stringify(BIG)}], { mirror: null, settings: fetchSettings() });
console.log(JSON.stringify(r.bySource));`,
      );
      const env = { ...process.env, EE_CACHE_DIR: s.cacheDir, EE_GITHUB_RAW_URL: slow.url, EE_DATA_DIR: "" };
      const [a, b] = await Promise.all([run(script, env), run(script, env)]);
      const sources = [JSON.parse(a), JSON.parse(b)];
      expect(sources.map((x) => x.origin.files + x.cache.files)).toEqual([1, 1]);
      expect(sources.map((x) => x.origin.files).sort()).toEqual([0, 1]); // one downloaded, one waited
      expect(slow.requests.filter((r) => r.method === "GET")).toHaveLength(1);
      const f = manifest.files.get(BIG)!;
      expect(sha(readFileSync(join(cacheDataDir(s), BIG)))).toBe(f.sha256);
      expect(readdirSync(join(s.cacheDir, "blobs"))).toEqual([f.sha256]); // no .lock, no .incomplete
    } finally {
      await slow.close();
    }
  });
});

const execFileP = promisify(execFile);
async function run(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [script], { env });
  return stdout.trim();
}

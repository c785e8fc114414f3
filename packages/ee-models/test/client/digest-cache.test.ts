/**
 * The client's stat-keyed digest cache: an unchanged file is not read again (counted), a touched or
 * modified file is hashed again, a tampered encrypted folder is still refused, a fresh (racy) file is
 * not remembered, and `verifyFull` rehashes everything.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEClient } from "../../src/client/client.js";
import { digestCounters, FileDigests } from "../../src/client/digest-cache.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { readManifest } from "../../src/encrypt/manifest.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { tinyEncoder } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("digest-cache");
const p = (name: string) => join(tmp.dir, name);
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Hashed-file count that `f` adds to the process's counters. */
function hashedBy(f: () => unknown): number {
  const before = digestCounters().hashedFiles;
  f();
  return digestCounters().hashedFiles - before;
}

/** Set a file's mtime `secondsAgo` into the past (so it is not racily fresh). */
function age(path: string, secondsAgo = 60): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
}

describe("FileDigests", () => {
  const cacheFile = p("cache/file-digests.json");
  const file = p("weights.bin");
  /** A digest through a freshly loaded cache, as a new process would see it. */
  const digest = (opts: { verifyFull?: boolean; racyWindowMs?: number } = {}) => {
    const c = FileDigests.open({ cacheFile, racyWindowMs: 0, ...opts });
    try {
      return c.sha256(file);
    } finally {
      c.save();
    }
  };

  it("reuses the digest of an unchanged file and rehashes a touched or modified one", () => {
    writeFileSync(file, Buffer.alloc(1 << 16, 7));
    age(file);
    expect(hashedBy(digest)).toBe(1);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    let got = "";
    expect(hashedBy(() => (got = digest()))).toBe(0);
    expect(got).toBe(sha(file));

    age(file, 30); // touched, content unchanged
    expect(hashedBy(digest)).toBe(1);
    expect(hashedBy(digest)).toBe(0);

    // Same size, mtime restored to what the cache holds: the ctime still moves, so it is seen.
    const { mtime } = statSync(file);
    const bytes = readFileSync(file);
    bytes[100] ^= 0xff;
    writeFileSync(file, bytes);
    utimesSync(file, mtime, mtime);
    expect(hashedBy(() => (got = digest()))).toBe(1);
    expect(got).toBe(sha(file));
  });

  it("rehashes everything with verifyFull, and does not remember a file changed just now", () => {
    writeFileSync(file, "fresh");
    expect(hashedBy(() => digest({ racyWindowMs: 60_000 }))).toBe(1);
    expect(hashedBy(() => digest({ racyWindowMs: 60_000 }))).toBe(1); // racy: never remembered
    age(file, 120);
    expect(hashedBy(() => digest({ racyWindowMs: 60_000 }))).toBe(1);
    expect(hashedBy(() => digest({ racyWindowMs: 60_000 }))).toBe(0);
    expect(hashedBy(() => digest({ verifyFull: true }))).toBe(1);
  });

  it("treats a damaged cache file as empty", () => {
    writeFileSync(cacheFile, "{ not json");
    expect(hashedBy(digest)).toBe(1);
    expect(hashedBy(digest)).toBe(0);
  });
});

describe("EEClient.open with the digest cache", () => {
  const cacheFile = p("client-cache/file-digests.json");
  const enc = p("bert-full");
  const key = p("bert-full.key");
  let bound: string[] = [];
  const open = (verifyFull = false) => EEClient.open(enc, key, { cacheFile, racyWindowMs: 0, verifyFull });

  beforeAll(async () => {
    const bert = tinyEncoder("bert", "digest-bert");
    await writeModelFolder(p("bert-plain"), getArchitecture("bert"), bert.cfg, bert.weights, {
      build: { fused: false },
    });
    await encryptModelFolder(p("bert-plain"), enc, { keyPath: key, scheme: "full" });
    bound = Object.keys(readManifest(enc).files ?? {});
    for (const f of bound) age(join(enc, f));
  });
  afterAll(() => tmp.cleanup());

  it("reads every bound file on the first open and none on the second", () => {
    expect(bound.length).toBeGreaterThanOrEqual(2); // config.json and the graph at least
    expect(hashedBy(open)).toBe(bound.length);
    expect(hashedBy(open)).toBe(0);
    expect(hashedBy(() => open(true))).toBe(bound.length);
  });

  it("rehashes a touched file only, and still refuses a tampered one", () => {
    const graph = bound.find((f) => f.endsWith(".onnx")) as string;
    expect(graph).toBeDefined();
    const path = join(enc, graph);
    age(path, 10);
    expect(hashedBy(open)).toBe(1);

    const original = readFileSync(path);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 3] ^= 0x01; // same size, inside the weights
    const { mtime } = statSync(path);
    writeFileSync(path, tampered);
    utimesSync(path, mtime, mtime); // mtime as cached: the ctime gives it away
    expect(() => open()).toThrow(/is not the file .*ee\.json describes/);
    expect(() => open()).toThrow(/is not the file/); // a refused digest is not trusted later either

    writeFileSync(path, original);
    age(path, 5);
    expect(hashedBy(open)).toBe(1);
    expect(hashedBy(open)).toBe(0);
    expect(readdirSync(p("client-cache"))).toEqual(["file-digests.json"]);
  });
});

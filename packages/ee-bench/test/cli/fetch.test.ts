/**
 * `ee fetch`, `ee run`'s acquisition and `--weights hf:` through the real download code, against the
 * loopback origin (the test data directory served in the GitHub-raw layout, and a built Hub folder).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDataDir, defaultOriginsManifestPath, fetchSettings, resolveDataDir } from "ee-core";
import { buildModel } from "ee-models";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type OriginServer, startOriginServer } from "../../../../scripts/origin-server.mjs";
import { commandTable } from "../../src/cli/commands.js";
import { fetchCommand, resolveWeightsArg } from "../../src/cli/fetch.js";
import { loadDataset } from "../../src/datasets/registry.js";

const ENV_KEYS = [
  "EE_DATA_DIR",
  "EE_CACHE_DIR",
  "EE_GITHUB_RAW_URL",
  "HF_ENDPOINT",
  "HF_HOME",
  "HF_HUB_OFFLINE",
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const mirror = resolveDataDir();
const hubRoot = mkdtempSync(join(tmpdir(), "ee-hub-"));
let server: OriginServer;

beforeAll(async () => {
  mkdirSync(join(hubRoot, "org", "tiny"), { recursive: true });
  writeFileSync(join(hubRoot, "org", "tiny", "config.json"), "{}");
  writeFileSync(join(hubRoot, "org", "tiny", "model.safetensors"), Buffer.alloc(64, 7));
  server = await startOriginServer({ dataDir: mirror, tsvFiles: [defaultOriginsManifestPath()], hubRoot });
});
afterAll(() => server.close());
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  vi.restoreAllMocks();
});

/** A fresh cache, an empty mirror (so nothing is found locally) and the loopback origin. */
function freshEnv(): string {
  const d = mkdtempSync(join(tmpdir(), "ee-fetch-cli-"));
  mkdirSync(join(d, "empty-mirror"));
  process.env.EE_DATA_DIR = join(d, "empty-mirror");
  process.env.EE_CACHE_DIR = join(d, "cache");
  process.env.HF_HOME = join(d, "hf");
  process.env.EE_GITHUB_RAW_URL = server.url;
  process.env.HF_ENDPOINT = server.url;
  delete process.env.HF_HUB_OFFLINE;
  return d;
}

function captureStdout(): () => string {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  return () => out.mock.calls.map((c) => String(c[0])).join("");
}

describe("ee fetch", () => {
  it("--suite smoke downloads only what the suite needs (8 IMDB reviews, not 5,000), then hits the cache", async () => {
    freshEnv();
    const printed = captureStdout();
    expect(await fetchCommand({ suite: "smoke" })).toBe(0);
    const first = printed();
    expect(first).toMatch(/data: \d+ files, .*downloaded \(.* over the network\)/);
    const view = cacheDataDir(fetchSettings());
    const reviews = ["pos", "neg"].flatMap((c) => readdirSync(join(view, "imdb_aclImdb", "test", c)));
    expect(reviews).toHaveLength(8); // the smoke rows draw 8 reviews (seed 1): only those are fetched
    expect(readdirSync(join(view, "mt_bench"))).toEqual(["question.jsonl"]);
    expect(readdirSync(join(view, "model_files")).sort()).toEqual([
      "bert-base-uncased",
      "llama-3.1-8b-instruct",
      "roberta-base",
    ]);
    vi.restoreAllMocks();
    const again = captureStdout();
    await fetchCommand({ suite: "smoke" });
    expect(again()).toMatch(/from the cache → /);
    expect(again()).not.toMatch(/downloaded/);
  });

  it("--offline with nothing cached is one clear error; nothing is requested", async () => {
    freshEnv();
    captureStdout();
    const seen = server.requests.length;
    await expect(fetchCommand({ dataset: ["mt-bench"], offline: true })).rejects.toThrow(
      /offline .*mt_bench\/question\.jsonl.*npm run ee -- fetch/,
    );
    expect(server.requests.length).toBe(seen);
  });

  it("--model hf:REPO resolves a Hub checkpoint into the HF cache layout (what ee build --weights hf: uses)", async () => {
    const d = freshEnv();
    captureStdout();
    const dir = await resolveWeightsArg("hf:org/tiny");
    expect(dir).toMatch(
      new RegExp(`^${join(d, "hf", "hub", "models--org--tiny", "snapshots")}/[0-9a-f]{40}$`),
    );
    expect(readdirSync(dir as string).sort()).toEqual(["config.json", "model.safetensors"]);
    expect(await resolveWeightsArg("/some/local/folder")).toBe("/some/local/folder");
  });
});

describe("ee build --weights hf:REPO", () => {
  it("builds from the Hub snapshot folder: the same weights as the checkpoint that was served", async () => {
    const d = freshEnv();
    // a checkpoint made by the project: bert-tiny with seeded weights, served as Hub repo org/bert-tiny
    const made = await buildModel({ preset: "bert-tiny", outDir: join(d, "made"), seed: 3, dataDir: mirror });
    const repo = join(hubRoot, "org", "bert-tiny");
    mkdirSync(repo, { recursive: true });
    for (const f of ["config.json", "model.safetensors"]) copyFileSync(join(made.dir, f), join(repo, f));
    const printed = captureStdout();
    await commandTable.build("bert-tiny", { out: join(d, "built"), weights: "hf:org/bert-tiny" });
    expect(printed()).toMatch(/weights: .*models--org--bert-tiny\/snapshots\/[0-9a-f]{40}\)/);
    // its tokenizer file was fetched too (no mirror here)
    expect(readdirSync(join(cacheDataDir(fetchSettings()), "model_files", "bert-base-uncased"))).toEqual([
      "bert-base-uncased.json",
    ]);
    const same = readFileSync(join(d, "built", "model.safetensors")).equals(
      readFileSync(join(made.dir, "model.safetensors")),
    );
    expect(same).toBe(true);
  });
});

describe("IMDB from the cache: listed from the origins manifest, only the sample fetched", () => {
  it("draws exactly the reviews a full mirror gives for the same seed", async () => {
    freshEnv();
    const view = cacheDataDir(fetchSettings());
    const fromCache = await loadDataset({ name: "imdb", count: 12 }, { dataDir: view, seed: 5 });
    const fromMirror = await loadDataset({ name: "imdb", count: 12 }, { dataDir: mirror, seed: 5 });
    expect(fromCache.samples).toEqual(fromMirror.samples);
    expect(fromCache.availableCount).toBe(fromMirror.availableCount);
    expect(fromCache.availableCount).toBe(5000);
    const fetched = ["pos", "neg"].flatMap((c) => readdirSync(join(view, "imdb_aclImdb", "test", c)));
    expect(fetched).toHaveLength(12);
  });
});

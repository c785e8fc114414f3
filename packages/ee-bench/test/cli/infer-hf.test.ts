/**
 * `ee infer` on Hugging Face-format folders (what `ee build|encrypt --format hf` write): the decrypted
 * output equals the ONNX folder's, the ONNX build is cached and reused while the folder is unchanged,
 * rebuilt when it changes, and a broken folder fails naming the file. Tolerance: probabilities within
 * 1e-5 (the same fp32 weights through the same graph builder; only the route differs).
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readSafetensors, type StateDict, type Tensor, writeSafetensors } from "ee-core";
import { buildModel, encryptModelFolder } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InferCliOptions, inferResult } from "../../src/cli/infer.js";
import { resolveBenchDataDir } from "../../src/paths.js";
import { cachedOnnxBuilds } from "../../src/targets/hf-onnx-cache.js";

const EE = new URL("../../bin/ee.js", import.meta.url).pathname;
const TEXT = "An unexpectedly moving film with a wonderful cast.";
const SCHEMES = ["vocab", "full"] as const;
const TOL = 1e-5;

let dir: string;
const p = (name: string) => join(dir, name);
const cacheDir = () => p("cache");
let logs: string[] = [];

/** `ee infer` as the CLI runs it, with the test's cache and a captured progress log. */
function infer(folder: string, o: Partial<InferCliOptions>) {
  return inferResult(p(folder), {
    device: "cpu",
    maxNewTokens: 4,
    json: true,
    cacheDir: cacheDir(),
    log: (l) => logs.push(l),
    ...o,
  });
}

interface ClassifierJson {
  label: string;
  probs: Record<string, number>;
  tokens: number;
}
interface IdsJson {
  tokenIds: number[];
  firstTokenProb: number;
}

function expectSameClassification(a: ClassifierJson, b: ClassifierJson): void {
  expect(a.label).toBe(b.label);
  expect(a.tokens).toBe(b.tokens);
  expect(Object.keys(a.probs)).toEqual(Object.keys(b.probs));
  for (const k of Object.keys(a.probs)) expect(Math.abs(a.probs[k] - b.probs[k])).toBeLessThan(TOL);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-infer-hf-"));
  const dataDir = resolveBenchDataDir();
  const quiet = { warn: () => {} };
  await buildModel({ preset: "bert-tiny", outDir: p("bert-plain"), seed: 7, dataDir });
  await buildModel({ preset: "bert-tiny", outDir: p("bert-plain-hf"), seed: 7, dataDir, format: "hf" });
  await buildModel({ preset: "llama-tiny", outDir: p("llama-plain"), seed: 7, dataDir });
  for (const model of ["bert", "llama"]) {
    for (const scheme of SCHEMES) {
      for (const format of ["onnx", "hf"] as const) {
        const name = `${model}-${scheme}-${format}`;
        await encryptModelFolder(p(`${model}-plain`), p(name), {
          keyPath: p(`${name}.key`),
          scheme,
          format,
          ...quiet,
        });
      }
    }
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ee infer on a Hugging Face-format folder", () => {
  it.each(SCHEMES)(
    "bert-tiny, %s: the encrypted HF folder decrypts to the ONNX folder's output",
    async (s) => {
      const onnx = (await infer(`bert-${s}-onnx`, { text: TEXT, key: p(`bert-${s}-onnx.key`) })).json;
      const hf = (await infer(`bert-${s}-hf`, { text: TEXT, key: p(`bert-${s}-hf.key`) })).json;
      const plain = (await infer("bert-plain", { text: TEXT })).json;
      expectSameClassification(hf as ClassifierJson, onnx as ClassifierJson);
      expectSameClassification(hf as ClassifierJson, plain as ClassifierJson);
    },
  );

  it.each(SCHEMES)("llama-tiny, %s: the encrypted HF folder generates the ONNX folder's ids", async (s) => {
    const ids = "1,5,9,2,7";
    const onnx = (await infer(`llama-${s}-onnx`, { ids, key: p(`llama-${s}-onnx.key`) })).json as IdsJson;
    const hf = (await infer(`llama-${s}-hf`, { ids, key: p(`llama-${s}-hf.key`) })).json as IdsJson;
    const plain = (await infer("llama-plain", { ids })).json as IdsJson;
    expect(hf.tokenIds).toHaveLength(4);
    expect(hf.tokenIds).toEqual(onnx.tokenIds);
    expect(hf.tokenIds).toEqual(plain.tokenIds);
    expect(Math.abs(hf.firstTokenProb - onnx.firstTokenProb)).toBeLessThan(TOL);
  });

  it("builds once and reuses the build while the folder is unchanged", async () => {
    logs = [];
    await infer("bert-full-hf", { text: TEXT, key: p("bert-full-hf.key") }); // built by the first test
    expect(logs.filter((l) => /building ONNX/.test(l))).toEqual([]);
    const reused = logs.find((l) => /using its ONNX build/.test(l)) as string;
    expect(reused).toContain(p("bert-full-hf"));
    const entry = /using its ONNX build (\S+)/.exec(reused)?.[1] as string;
    const graph = join(entry, "onnx", "model.onnx");
    const before = statSync(graph).mtimeMs;
    const builds = cachedOnnxBuilds(cacheDir());
    await infer("bert-full-hf", { text: TEXT, key: p("bert-full-hf.key") });
    expect(statSync(graph).mtimeMs).toBe(before);
    expect(cachedOnnxBuilds(cacheDir())).toEqual(builds);
  });

  it("rebuilds a folder whose weights changed, and drops its previous build", async () => {
    cpSync(p("bert-plain-hf"), p("bert-edit-hf"), { recursive: true });
    logs = [];
    const first = (await infer("bert-edit-hf", { text: TEXT })).json as ClassifierJson;
    const plain = (await infer("bert-plain", { text: TEXT })).json as ClassifierJson;
    expectSameClassification(first, plain); // plain HF folder with its tokenizer = plain ONNX folder
    expect(logs.filter((l) => /building ONNX/.test(l))).toHaveLength(1);
    const oldEntry = /→ (\S+)/.exec(logs.find((l) => /building ONNX/.test(l)) as string)?.[1] as string;

    // Shift the first label's bias by 1: same size, different content, visibly different output.
    const file = p("bert-edit-hf/model.safetensors");
    const { tensors, metadata } = readSafetensors(file);
    const bias = tensors.get("classifier.bias") as Tensor;
    const shifted = Float32Array.from(bias.data as Float32Array);
    shifted[0] += 1;
    const edited: StateDict = new Map(tensors);
    edited.set("classifier.bias", { ...bias, data: shifted });
    writeSafetensors(file, edited, metadata);
    logs = [];
    const second = (await infer("bert-edit-hf", { text: TEXT })).json as ClassifierJson;
    expect(logs.filter((l) => /building ONNX/.test(l))).toHaveLength(1);
    const newEntry = /→ (\S+)/.exec(logs.find((l) => /building ONNX/.test(l)) as string)?.[1] as string;
    expect(newEntry).not.toBe(oldEntry);
    expect(() => statSync(oldEntry)).toThrow();
    const diff = Math.max(...Object.keys(first.probs).map((k) => Math.abs(first.probs[k] - second.probs[k])));
    expect(diff).toBeGreaterThan(1e-4);
  });

  it("reads a sharded folder, and names a missing shard", async () => {
    // Split the single-file checkpoint into two shards with an index, as save_pretrained does above 5 GB.
    const src = p("bert-plain-hf");
    const out = p("bert-sharded-hf");
    cpSync(src, out, { recursive: true });
    rmSync(join(out, "model.safetensors"));
    const { tensors } = readSafetensors(join(src, "model.safetensors"));
    const names = [...tensors.keys()];
    const files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
    const halves = [names.slice(0, names.length >> 1), names.slice(names.length >> 1)];
    const weightMap: Record<string, string> = {};
    halves.forEach((h, i) => {
      const part: StateDict = new Map();
      for (const n of h) {
        part.set(n, tensors.get(n) as Tensor);
        weightMap[n] = files[i];
      }
      writeSafetensors(join(out, files[i]), part, { format: "pt" });
    });
    writeFileSync(
      join(out, "model.safetensors.index.json"),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const sharded = (await infer("bert-sharded-hf", { text: TEXT })).json as ClassifierJson;
    const single = (await infer("bert-plain-hf", { text: TEXT })).json as ClassifierJson;
    expectSameClassification(sharded, single);

    rmSync(join(out, files[1]));
    await expect(infer("bert-sharded-hf", { text: TEXT })).rejects.toThrow(
      `${join(out, files[1])}: missing; ${join(out, "model.safetensors.index.json")} lists it as a shard`,
    );
  });

  it("refuses an encrypted HF folder with a missing or altered file before building, naming the file", async () => {
    cpSync(p("bert-full-hf"), p("bert-broken-hf"), { recursive: true });
    const weights = p("bert-broken-hf/model.safetensors");
    const bytes = readFileSync(weights);
    bytes[bytes.length - 4] ^= 0x01;
    writeFileSync(weights, bytes);
    logs = [];
    await expect(infer("bert-broken-hf", { text: TEXT, key: p("bert-full-hf.key") })).rejects.toThrow(
      new RegExp(`${weights} \\(sha256 .*\\) is not the file .*ee\\.json describes`),
    );
    rmSync(weights);
    await expect(infer("bert-broken-hf", { text: TEXT, key: p("bert-full-hf.key") })).rejects.toThrow(
      `${weights}: missing`,
    );
    await expect(infer("bert-full-hf", { text: TEXT, key: p("bert-vocab-hf.key") })).rejects.toThrow(
      /scheme/,
    );
    expect(logs).toEqual([]); // nothing was built
  });

  it("names the folder as given (and its ONNX build) when the input does not fit it", async () => {
    await expect(infer("llama-full-hf", { text: "hello", key: p("llama-full-hf.key") })).rejects.toThrow(
      `${p("llama-full-hf")} (its ONNX build ${join(cacheDir(), "onnx-from-hf")}`,
    );
  });

  it("names a folder without weights, and one without config.json", async () => {
    cpSync(p("bert-plain-hf"), p("bert-noweights-hf"), { recursive: true });
    rmSync(p("bert-noweights-hf/model.safetensors"));
    await expect(infer("bert-noweights-hf", { text: TEXT })).rejects.toThrow(
      `model folder ${p("bert-noweights-hf")}: no weights`,
    );
    rmSync(p("bert-noweights-hf/config.json"));
    await expect(infer("bert-noweights-hf", { text: TEXT })).rejects.toThrow(/config\.json not found/);
  });

  it("the ee command: a progress line when it builds, a reuse line after; --verify-full accepted; same output", async () => {
    const env = { ...process.env, EE_CACHE_DIR: p("cli-cache") };
    const args = [EE, "infer", p("bert-vocab-hf"), "--key", p("bert-vocab-hf.key"), "--text", TEXT, "--json"];
    const run = (...extra: string[]) =>
      promisify(execFile)(process.execPath, [...args, ...extra], { env, maxBuffer: 1 << 24 });
    const first = await run("--verify-full");
    expect(first.stderr).toMatch(
      /Hugging Face format, bert, encrypted\): building ONNX once → .*onnx-from-hf/,
    );
    const second = await run();
    expect(second.stderr).toMatch(/using its ONNX build/);
    expect(second.stderr).not.toMatch(/building/);
    expectSameClassification(JSON.parse(second.stdout), JSON.parse(first.stdout));
    const lib = (await infer("bert-vocab-hf", { text: TEXT, key: p("bert-vocab-hf.key") })).json;
    expectSameClassification(JSON.parse(first.stdout), lib as ClassifierJson);
  });
});

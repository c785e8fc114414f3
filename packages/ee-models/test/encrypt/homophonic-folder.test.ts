/**
 * Scheme `homophonic` end to end, as `ee encrypt` writes it: a checkpoint → plain HF export → encrypted
 * folder in both formats (`onnx`; `hf` streamed, then built to ONNX) → the EE client over onnxruntime,
 * which sends every occurrence as a random copy. Decrypted outputs equal the plain model's (class
 * logits; Llama prefill/decode logits, greedy generation with the server choosing among the copies,
 * and client-side sampling with a seed), and the streamed weights equal the in-memory encrypter's.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRandom, readShardedSafetensors, type StateDict, writeSafetensors } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../src/build-model.js";
import { EncryptedCausalLM } from "../../src/client/causal-lm.js";
import { EncryptedClassifier } from "../../src/client/classifier.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { zipfCounts } from "../../src/encrypt/homophone-corpus.js";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { ClassifierSession } from "../../src/engines/onnxruntime/classifier.js";
import { getArchitecture } from "../../src/registry.js";
import { padBatch } from "../../src/runner/batch.js";
import type { ModelConfig } from "../../src/types.js";
import { tempDir } from "../fixtures.js";
import { Agreement, randomIds, tinyEncoder, tinyLlama } from "./helpers.js";

const tmp = tempDir("homophonic-folder");
afterAll(() => tmp.cleanup());
const quiet = () => {};

const homophones = (cfg: ModelConfig) => ({
  counts: zipfCounts(cfg.vocabSize),
  extraIds: Math.floor(cfg.vocabSize / 2),
});

/** plain checkpoint → plain HF export → encrypted folder (format) → ONNX folders of both. */
async function pipeline(name: string, cfg: ModelConfig, weights: StateDict, format: "onnx" | "hf") {
  const src = join(tmp.dir, `${name}-src`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "config.json"), JSON.stringify(getArchitecture(cfg.modelType).toConfigJson(cfg)));
  writeSafetensors(join(src, "model.safetensors"), weights, { format: "pt" });
  const plainHf = join(tmp.dir, `${name}-plain-hf`);
  await buildModel({ weightsDir: src, outDir: plainHf, format: "hf", tokenizer: null, warn: quiet });
  const enc = join(tmp.dir, `${name}-enc`);
  const keyPath = join(tmp.dir, `${name}.key`);
  await encryptModelFolder(plainHf, enc, {
    keyPath,
    scheme: "homophonic",
    format,
    seed: `homophonic-${name}`,
    warn: quiet,
    vocabBlockRows: 100,
    homophones: homophones(cfg),
  });
  const plainOnnx = join(tmp.dir, `${name}-plain-onnx`);
  await buildModel({ weightsDir: plainHf, outDir: plainOnnx, warn: quiet });
  let encOnnx = enc;
  if (format === "hf") {
    encOnnx = join(tmp.dir, `${name}-enc-onnx`);
    const built = await buildModel({ weightsDir: enc, outDir: encOnnx, warn: quiet });
    expect(built.encrypted).toBe(true);
  }
  return { enc, encOnnx, plainOnnx, keyPath };
}

describe.each(["bert", "roberta"] as const)("%s, scheme homophonic, as ee encrypt writes it", (arch) => {
  describe.each(["onnx", "hf"] as const)("format %s", (format) => {
    const { cfg, weights } = tinyEncoder(arch, `hfolder-${arch}`);
    let dirs: Awaited<ReturnType<typeof pipeline>>;
    beforeAll(async () => {
      dirs = await pipeline(`${arch}-${format}`, cfg, new Map(weights), format);
    });

    it("decrypted class logits equal plain ones (max |Δ| ≤ 1e-4 nats, 64 samples, argmax 100 %)", async () => {
      const vi = await ClassifierSession.open(dirs.plainOnnx, { loadTokenizer: false });
      const ee = await EncryptedClassifier.open(dirs.encOnnx, dirs.keyPath);
      try {
        expect(ee.client.codec.encryptedVocabSize).toBe(cfg.vocabSize + Math.floor(cfg.vocabSize / 2));
        const rng = createRandom({ seed: `hfolder-rt-${arch}` });
        const agreement = new Agreement();
        for (let i = 0; i < 8; i++) {
          // ids 3..10 are the Zipf-frequent ones with many copies; mix them in
          const seqs = Array.from({ length: 8 }, () =>
            randomIds(rng, 1, 1 + rng.int(30), cfg.vocabSize, 3)[0].map((id) =>
              rng.int(2) ? 3 + rng.int(8) : id,
            ),
          );
          const a = await vi.runIds(padBatch(seqs, cfg.padTokenId));
          const b = await ee.runIds(padBatch(seqs, ee.plainPadId));
          const L = cfg.numLabels;
          for (let r = 0; r < 8; r++)
            agreement.add(a.logits.subarray(r * L, (r + 1) * L), b.logits.subarray(r * L, (r + 1) * L));
        }
        expect(agreement.samples).toBe(64);
        expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        expect(agreement.agree).toBe(64);
      } finally {
        await vi.dispose();
        await ee.dispose();
      }
    });

    if (format === "hf")
      it("streamed weights equal the in-memory encrypter's bit for bit", async () => {
        const streamed = readShardedSafetensors(dirs.enc).tensors;
        const mem = await encryptWeights(cfg, new Map(weights), {
          scheme: "homophonic",
          rng: createRandom({ seed: `homophonic-${arch}-hf` }),
          homophones: homophones(cfg),
        });
        expect([...streamed.keys()].sort()).toEqual([...mem.weights.keys()].sort());
        for (const [n, t] of mem.weights) expect(streamed.get(n)?.data, n).toEqual(t.data);
        const json = JSON.parse(readFileSync(join(dirs.enc, "config.json"), "utf8"));
        expect(json.vocab_size).toBe(cfg.vocabSize + Math.floor(cfg.vocabSize / 2));
      });
  });
});

describe.each(["onnx", "hf"] as const)("llama, scheme homophonic, format %s", (format) => {
  const { cfg, weights } = tinyLlama("hfolder-llama", { eos_token_id: 2 });
  const V = cfg.vocabSize;
  let dirs: Awaited<ReturnType<typeof pipeline>>;
  let vi: CausalLMSession;
  let ee: EncryptedCausalLM;
  beforeAll(async () => {
    dirs = await pipeline(`llama-${format}`, cfg, new Map(weights), format);
    vi = await CausalLMSession.open(dirs.plainOnnx);
    ee = await EncryptedCausalLM.open(dirs.encOnnx, dirs.keyPath);
  });
  afterAll(async () => {
    await vi?.dispose();
    await ee?.dispose();
  });
  const prompts = [
    [1, 3, 4, 3, 5, 17, 300],
    [1, 400, 3, 3, 4],
    [1, 5, 6, 7, 8, 9],
  ];

  it("prefill and 2 decode steps: decrypted logits equal plain ones (max |Δ| ≤ 1e-4 nats)", async () => {
    const agreement = new Agreement();
    const rows = (a: Float32Array, b: Float32Array, n: number) => {
      for (let i = 0; i < n; i++)
        agreement.add(a.subarray(i * V, (i + 1) * V), b.subarray(i * V, (i + 1) * V));
    };
    const p = await vi.prefill(prompts, 0);
    const q = await ee.prefill(prompts, 0);
    expect(q.vocabSize).toBe(V);
    rows(p.logits, q.logits, 3);
    const rng = createRandom({ seed: "hfolder-decode" });
    for (let step = 0; step < 2; step++) {
      const next = Array.from({ length: 3 }, () => (rng.int(2) ? 3 + rng.int(4) : rng.int(V)));
      rows((await vi.decode(next)).logits, (await ee.decode(next)).logits, 3);
    }
    expect(agreement.samples).toBe(9);
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(agreement.agree).toBe(9);
  });

  it("greedy generation on the server: the same ids as the plain model, and the plain first-token probability", async () => {
    const opts = { maxNewTokens: 12, eosTokenIds: [] as number[] };
    const plain = await vi.generate(prompts, opts);
    const enc = await ee.generate(prompts, { ...opts, sampleOn: "server" });
    expect(enc.sequences.map((s) => s.tokenIds)).toEqual(plain.sequences.map((s) => s.tokenIds));
    for (const [b, s] of enc.sequences.entries())
      expect(s.firstTokenProb).toBeCloseTo(plain.sequences[b].firstTokenProb, 5);
  });

  it("sampling with a temperature runs on the client (same ids as plain with the same seed); on the server it is refused", async () => {
    const opts = { maxNewTokens: 12, eosTokenIds: [] as number[], temperature: 0.9, seed: 77 };
    const plain = await vi.generate(prompts, opts);
    const enc = await ee.generate(prompts, opts);
    expect(enc.sequences.map((s) => s.tokenIds)).toEqual(plain.sequences.map((s) => s.tokenIds));
    await expect(ee.generate(prompts, { ...opts, sampleOn: "server" })).rejects.toThrow(/biased/);
  });

  if (format === "hf")
    it("streamed weights equal the in-memory encrypter's bit for bit", async () => {
      const streamed = readShardedSafetensors(dirs.enc).tensors;
      const mem = await encryptWeights(cfg, new Map(weights), {
        scheme: "homophonic",
        rng: createRandom({ seed: "homophonic-llama-hf" }),
        homophones: homophones(cfg),
      });
      expect([...streamed.keys()].sort()).toEqual([...mem.weights.keys()].sort());
      for (const [n, t] of mem.weights) expect(streamed.get(n)?.data, n).toEqual(t.data);
    });
});

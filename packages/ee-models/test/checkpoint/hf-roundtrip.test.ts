/**
 * Hugging Face format end to end: a real-layout checkpoint (config.json + model.safetensors) →
 * `ee build --format hf` (plain export) → `ee encrypt --format hf` (streamed) → `ee build <enc-hf>`
 * (ONNX) → the EE client's decrypted outputs equal the plain model's, for bert/roberta/llama tiny in
 * both schemes. Also: the streamed weights equal the in-memory encrypter's bit for bit, bf16 stays
 * bf16 (rounded once), and the encrypted folder holds no tokenizer.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRandom,
  openSafetensors,
  readShardedSafetensors,
  type StateDict,
  writeSafetensors,
} from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../src/build-model.js";
import { loadCheckpoint } from "../../src/checkpoint.js";
import { EncryptedCausalLM } from "../../src/client/causal-lm.js";
import { EncryptedClassifier } from "../../src/client/classifier.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { ClassifierSession } from "../../src/engines/onnxruntime/classifier.js";
import { getArchitecture } from "../../src/registry.js";
import { padBatch } from "../../src/runner/batch.js";
import type { ModelConfig } from "../../src/types.js";
import { Agreement, randomIds, tinyEncoder, tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("hf-roundtrip");
afterAll(() => tmp.cleanup());
const quiet = () => {};

/** A checkpoint folder as `save_pretrained` lays it out. */
function writeCheckpoint(dir: string, cfg: ModelConfig, weights: StateDict): string {
  mkdirSync(dir, { recursive: true });
  const arch = getArchitecture(cfg.modelType);
  writeFileSync(join(dir, "config.json"), JSON.stringify(arch.toConfigJson(cfg)));
  writeSafetensors(join(dir, "model.safetensors"), weights, { format: "pt" });
  return dir;
}

/** plain checkpoint → plain HF export → encrypted HF → ONNX folders of both. */
async function pipeline(name: string, cfg: ModelConfig, weights: StateDict, scheme: string) {
  const src = writeCheckpoint(join(tmp.dir, `${name}-src`), cfg, weights);
  const plainHf = join(tmp.dir, `${name}-plain-hf`);
  await buildModel({ weightsDir: src, outDir: plainHf, format: "hf", tokenizer: null, warn: quiet });
  const encHf = join(tmp.dir, `${name}-enc-hf`);
  const keyPath = join(tmp.dir, `${name}.key`);
  // 100-row blocks: the tiny Llama's 512-row embedding and head stream in 6 blocks (the last partial)
  await encryptModelFolder(plainHf, encHf, {
    keyPath,
    scheme,
    format: "hf",
    seed: `hf-${name}`,
    warn: quiet,
    vocabBlockRows: 100,
  });
  const plainOnnx = join(tmp.dir, `${name}-plain-onnx`);
  const encOnnx = join(tmp.dir, `${name}-enc-onnx`);
  await buildModel({ weightsDir: plainHf, outDir: plainOnnx, warn: quiet });
  const built = await buildModel({ weightsDir: encHf, outDir: encOnnx, warn: quiet });
  expect(built.encrypted).toBe(true);
  return { plainHf, encHf, encOnnx, plainOnnx, keyPath };
}

describe.each(["bert", "roberta"] as const)("%s: HF-format encrypted checkpoint round trip", (arch) => {
  describe.each(["vocab", "full"] as const)("scheme %s", (scheme) => {
    const { cfg, weights } = tinyEncoder(arch, `hf-${arch}`);
    let dirs: Awaited<ReturnType<typeof pipeline>>;
    beforeAll(async () => {
      dirs = await pipeline(`${arch}-${scheme}`, cfg, new Map(weights), scheme);
    });

    it("decrypted EE logits equal VI logits (max |Δ| ≤ 1e-4 nats, 64 samples)", async () => {
      const vi = await ClassifierSession.open(dirs.plainOnnx, { loadTokenizer: false });
      const ee = await EncryptedClassifier.open(dirs.encOnnx, dirs.keyPath);
      try {
        const rng = createRandom({ seed: `hf-rt-${arch}` });
        const agreement = new Agreement();
        for (let i = 0; i < 8; i++) {
          const seqs = Array.from(
            { length: 8 },
            () => randomIds(rng, 1, 1 + rng.int(30), cfg.vocabSize, 3)[0],
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

    it("holds config.json, ee.json and model.safetensors only (no tokenizer), with the streamed = in-memory weights", async () => {
      expect(readdirSync(dirs.encHf).sort()).toEqual(["config.json", "ee.json", "model.safetensors"]);
      const streamed = readShardedSafetensors(dirs.encHf).tensors;
      const mem = await encryptWeights(cfg, new Map(weights), {
        scheme,
        rng: createRandom({ seed: `hf-${arch}-${scheme}` }),
      });
      expect([...streamed.keys()].sort()).toEqual([...mem.weights.keys()].sort());
      for (const [n, t] of mem.weights) expect(streamed.get(n)!.data, n).toEqual(t.data);
    });
  });
});

describe.each(["vocab", "full", "full-kron"] as const)(
  "llama: HF-format encrypted checkpoint round trip, scheme %s",
  (scheme) => {
    const { cfg, weights } = tinyLlama("hf-llama");
    let dirs: Awaited<ReturnType<typeof pipeline>>;
    beforeAll(async () => {
      dirs = await pipeline(`llama-${scheme}`, cfg, new Map(weights), scheme);
    });

    it("decrypted EE logits equal VI logits over prefill and 2 decode steps (max |Δ| ≤ 1e-4 nats)", async () => {
      const vi = await CausalLMSession.open(dirs.plainOnnx);
      const ee = await EncryptedCausalLM.open(dirs.encOnnx, dirs.keyPath);
      try {
        const rng = createRandom({ seed: "hf-rt-llama" });
        const agreement = new Agreement();
        const V = cfg.vocabSize;
        const prompts = randomIds(rng, 4, 6, V);
        const rows = (a: Float32Array, b: Float32Array) => {
          for (let i = 0; i < 4; i++)
            agreement.add(a.subarray(i * V, (i + 1) * V), b.subarray(i * V, (i + 1) * V));
        };
        let a = await vi.prefill(prompts, 0);
        let b = await ee.prefill(prompts, 0);
        // prefill returns every position: compare the last one of each row
        const last = (x: Float32Array) => {
          const out = new Float32Array(4 * V);
          for (let i = 0; i < 4; i++) out.set(x.subarray((i * 6 + 5) * V, (i * 6 + 6) * V), i * V);
          return out;
        };
        rows(
          a.logits.length === 4 * V ? a.logits : last(a.logits),
          b.logits.length === 4 * V ? b.logits : last(b.logits),
        );
        for (let step = 0; step < 2; step++) {
          const next = Array.from({ length: 4 }, () => rng.int(V));
          a = await vi.decode(next);
          b = await ee.decode(next);
          rows(a.logits, b.logits);
        }
        expect(agreement.samples).toBe(12);
        expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        expect(agreement.agree).toBe(12);
      } finally {
        await vi.dispose();
        await ee.dispose();
      }
    });

    it("is a standard LlamaForCausalLM checkpoint: full has RMSNorm weights 1 and an untied head", async () => {
      const json = JSON.parse(readFileSync(join(dirs.encHf, "config.json"), "utf8"));
      expect(json.architectures).toEqual(["LlamaForCausalLM"]);
      expect(json.torch_dtype).toBe("float32");
      const sd = readShardedSafetensors(dirs.encHf).tensors;
      expect(readdirSync(dirs.encHf).sort()).toEqual(["config.json", "ee.json", "model.safetensors"]);
      if (scheme !== "vocab") {
        expect(json.tie_word_embeddings).toBe(false);
        for (const [n, t] of sd)
          if (n.endsWith("norm.weight"))
            expect(
              Array.from(t.data as Float32Array).every((v) => v === 1),
              n,
            ).toBe(true);
      }
      const mem = await encryptWeights(cfg, new Map(weights), {
        scheme,
        rng: createRandom({ seed: `hf-llama-${scheme}` }),
      });
      expect([...sd.keys()].sort()).toEqual([...mem.weights.keys()].sort());
      for (const [n, t] of mem.weights) expect(sd.get(n)!.data, n).toEqual(t.data);
    });
  },
);

describe("dtype", () => {
  it("a BF16 Llama (tied embeddings) stays BF16, each tensor the in-memory F32 result rounded once", async () => {
    const { cfg, weights } = tinyLlama("hf-bf16", { tie_word_embeddings: true });
    const bf: StateDict = new Map([...weights].map(([n, t]) => [n, { ...t, dtype: "BF16" as const }]));
    const src = writeCheckpoint(join(tmp.dir, "bf16-src"), cfg, bf);
    const enc = join(tmp.dir, "bf16-enc");
    await encryptModelFolder(src, enc, {
      keyPath: join(tmp.dir, "bf16.key"),
      scheme: "full",
      format: "hf",
      seed: "bf16",
      warn: quiet,
      vocabBlockRows: 100,
    });
    const r = openSafetensors(join(enc, "model.safetensors"));
    try {
      expect(new Set(r.names().map((n) => r.info(n).dtype))).toEqual(new Set(["BF16"]));
      expect(r.names()).toContain("lm_head.weight"); // split off the tied embedding
      const widened = loadCheckpoint(src, getArchitecture("llama"), cfg, { warn: quiet });
      const mem = await encryptWeights(cfg, widened, { scheme: "full", rng: createRandom({ seed: "bf16" }) });
      for (const [n, t] of mem.weights) {
        const rounded = { dtype: "BF16" as const, shape: t.shape, data: t.data };
        const once = join(tmp.dir, "once.safetensors");
        writeSafetensors(once, new Map([[n, rounded]]));
        expect(r.read(n).data, n).toEqual(openSafetensors(once).read(n).data);
      }
    } finally {
      r.close();
    }
    const json = JSON.parse(readFileSync(join(enc, "config.json"), "utf8"));
    expect(json.torch_dtype).toBe("bfloat16");
    expect(json.tie_word_embeddings).toBe(false);
  });
});

describe("the checkpoint's config.json is the truth", () => {
  it("refuses a preset that contradicts it, naming the differing fields", async () => {
    const { cfg, weights } = tinyLlama("truth", { rope_scaling: null, max_position_embeddings: 128 });
    const src = writeCheckpoint(join(tmp.dir, "truth-src"), cfg, weights);
    await expect(
      buildModel({ preset: "llama-tiny", weightsDir: src, outDir: join(tmp.dir, "truth-out"), warn: quiet }),
    ).rejects.toThrow(
      /contradicts preset llama-tiny .*max_position_embeddings: preset 256, checkpoint 128; rope_scaling: preset \{.*"factor":4.*\}, checkpoint null/,
    );
  });

  it("builds with the checkpoint's config when the preset agrees or none is named", async () => {
    const { cfg, weights } = tinyLlama("truth-ok");
    const src = writeCheckpoint(join(tmp.dir, "truth-ok-src"), cfg, weights);
    const a = await buildModel({
      preset: "llama-tiny",
      weightsDir: src,
      outDir: join(tmp.dir, "truth-a"),
      warn: quiet,
    });
    expect(a.cfg).toEqual(cfg);
    const b = await buildModel({
      weightsDir: src,
      outDir: join(tmp.dir, "truth-b"),
      format: "hf",
      warn: quiet,
    });
    expect(readdirSync(b.dir).sort()).toEqual(["config.json", "model.safetensors"]);
  });
});

/**
 * Equivariance on real text from the data mirror (read from the data directory, never copied):
 * - BERT / RoBERTa: 200 IMDB test reviews (100 pos + 100 neg), tokenized by the real bert-base-uncased
 *   / roberta-base tokenizers, truncated to 32 tokens, through the `bert-tiny` / `roberta-tiny` presets
 *   (real vocabularies, d 32, randomised weights) — ids used as they are.
 * - Llama: the 80 MT-Bench first turns + 120 ShareGPT prompts, tokenized by the real Llama 3.1
 *   tokenizer (with BOS), truncated to 16 tokens, then FOLDED into llama-tiny's 512-token vocabulary
 *   (`id % 512`: the tiny model cannot hold 128,256 rows in a fast float64 reference), plus 2 greedy
 *   KV-cache decode steps.
 * Both through the float64 reference forward.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "ee-core";
import { beforeAll, describe, expect, it } from "vitest";
import { encoderReferenceLogits } from "../../src/bert/reference.js";
import { ENCODER_VARIANTS } from "../../src/bert/variant.js";
import { EECodec } from "../../src/client/codec.js";
import { dataFile, resolveDataDir } from "../../src/data-dir.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { getPreset } from "../../src/presets.js";
import { getArchitecture } from "../../src/registry.js";
import { padBatch } from "../../src/runner/batch.js";
import { LlamaTokenizer } from "../../src/tokenizers/llama.js";
import { loadTokenizer } from "../../src/tokenizers/load.js";
import { getTokenizerSource } from "../../src/tokenizers/registry.js";
import type { BertConfig } from "../../src/types.js";
import { Agreement, confidence, randomiseAll, tinyLlama } from "./helpers.js";

/** The first `n` reviews (sorted file names) of `imdb_aclImdb/test/<label>`. */
function imdb(label: "pos" | "neg", n: number): string[] {
  const dir = dataFile(`imdb_aclImdb/test/${label}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .slice(0, n)
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

/** Token ids of `texts` with a registry tokenizer (files materialised in a temp folder). */
async function tokenizeWith(name: string, texts: string[], maxLength: number): Promise<number[][]> {
  const dir = mkdtempSync(join(tmpdir(), "ee-real-text-"));
  try {
    for (const f of getTokenizerSource(name).files().files) writeFileSync(join(dir, f.name), f.data);
    const tok = await loadTokenizer(dir);
    return texts.map((t) => {
      const ids = tok.encode(t);
      return ids.length <= maxLength ? ids : [...ids.slice(0, maxLength - 1), ids[ids.length - 1]];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([
  ["bert", "bert-tiny"],
  ["roberta", "roberta-tiny"],
] as const)("%s on 200 IMDB reviews (real tokenizer, real vocabulary)", (arch, presetName) => {
  const preset = getPreset(presetName);
  const archDef = getArchitecture<BertConfig>(arch);
  const cfg = archDef.parseConfig(preset.config, presetName);
  const weights = randomiseAll(
    archDef.syntheticWeights(cfg, createRandom({ seed: `real-${arch}` })),
    createRandom({ seed: `real-${arch}/n` }),
  );
  let seqs: number[][] = [];
  beforeAll(async () => {
    resolveDataDir(); // a clear error when the data mirror is absent
    seqs = await tokenizeWith(preset.tokenizer as string, [...imdb("pos", 100), ...imdb("neg", 100)], 32);
  });

  it.each(["vocab", "full"] as const)("scheme %s: decrypted logits equal plain logits", async (scheme) => {
    expect(seqs).toHaveLength(200);
    expect(Math.max(...seqs.flat())).toBeGreaterThan(1000); // real, unfolded ids
    const enc = await encryptWeights(cfg, weights, { scheme, rng: createRandom() });
    const codec = new EECodec(enc.key);
    const variant = ENCODER_VARIANTS[arch];
    const agreement = new Agreement();
    for (let i = 0; i < seqs.length; i += 40) {
      const part = seqs.slice(i, i + 40);
      const batch = padBatch(part, cfg.padTokenId);
      const T = batch.seqLen;
      const rows = (ids: BigInt64Array) =>
        part.map((_, b) => Array.from(ids.subarray(b * T, (b + 1) * T), Number));
      const plainBatch = { inputIds: rows(batch.inputIds), attentionMask: rows(batch.attentionMask) };
      const vi = encoderReferenceLogits(variant, cfg, weights, plainBatch);
      const ee = encoderReferenceLogits(variant, enc.cfg, enc.weights, {
        ...plainBatch,
        inputIds: plainBatch.inputIds.map((r) => codec.encryptIds(r)),
      });
      for (const [b, row] of vi.entries()) {
        agreement.add(row, codec.decryptClassLogits(Float32Array.from(ee[b]), cfg.numLabels));
      }
    }
    expect(agreement.samples).toBe(200);
    expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(agreement.agree).toBe(200);
    expect(agreement.fidelity()).toBeGreaterThanOrEqual(0.999999);
  });
});

describe("llama on MT-Bench + ShareGPT prompts (real Llama 3.1 tokenizer, ids folded mod 512)", () => {
  const { cfg, weights } = tinyLlama("real-llama");
  let prompts: number[][] = [];
  beforeAll(() => {
    const mt = readFileSync(dataFile("mt_bench/question.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { turns: string[] }).turns[0]);
    const sg = (
      JSON.parse(readFileSync(dataFile("sharegpt_ml-energy/ShareGPT_V3_filtered_500.json"), "utf8")) as {
        conversations: { from: string; value: string }[];
      }[]
    )
      .map((c) => c.conversations[0]?.value ?? "")
      .filter((v) => v.trim().length > 0)
      .slice(0, 120);
    const tok = LlamaTokenizer.fromDataDir();
    prompts = [...mt, ...sg].map((t) =>
      tok
        .encode(t, true)
        .slice(0, 16)
        .map((id) => id % cfg.vocabSize),
    );
  });

  it.each(["vocab", "full"] as const)(
    "scheme %s: decrypted logits equal plain logits, prefill + 2 decode steps",
    async (scheme) => {
      expect(prompts).toHaveLength(200);
      const enc = await encryptWeights(cfg, weights, { scheme, rng: createRandom() });
      const codec = new EECodec(enc.key);
      const plain = new LlamaReference(cfg, weights);
      const secret = new LlamaReference(enc.cfg, enc.weights);
      const V = cfg.vocabSize;
      const first = new Agreement();
      const steps = new Agreement();
      for (const ids of prompts) {
        let p = plain.forward({ inputIds: [ids] });
        let s = secret.forward({ inputIds: [codec.encryptIds(ids)] });
        const last = (x: Float64Array, t: number) => x.subarray((t - 1) * V, t * V);
        first.add(
          last(p.logits, ids.length),
          codec.decryptLogits(Float32Array.from(last(s.logits, ids.length))),
        );
        for (let step = 0; step < 2; step++) {
          const T = step === 0 ? ids.length : 1;
          const next = confidence(last(p.logits, T)).argmax;
          const nextSecret = confidence(last(s.logits, T)).argmax; // server-side greedy on encrypted logits
          expect(codec.decryptId(nextSecret)).toBe(next);
          p = plain.forward({ inputIds: [[next]], past: p.present });
          s = secret.forward({ inputIds: [[nextSecret]], past: s.present });
          steps.add(last(p.logits, 1), codec.decryptLogits(Float32Array.from(last(s.logits, 1))));
        }
      }
      for (const a of [first, steps]) {
        expect(a.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        expect(a.agree).toBe(a.samples);
        expect(a.fidelity()).toBeGreaterThanOrEqual(0.999999);
      }
      expect(first.samples).toBe(200);
      expect(steps.samples).toBe(400);
    },
  );
});

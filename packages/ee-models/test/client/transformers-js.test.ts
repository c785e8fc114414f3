/**
 * The transformers.js wrapper on tiny encrypted folders: logits equal the plain runner's, and
 * transformers.js greedy generation on the encrypted Llama decrypts to the plain runner's tokens.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformersJsEncryptedModel } from "../../src/client/transformers-js.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { ClassifierSession } from "../../src/engines/onnxruntime/classifier.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { padBatch } from "../../src/runner/batch.js";
import { tinyEncoder, tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("client-transformers-js");
const maxDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};
const p = (n: string) => join(tmp.dir, n);
afterAll(() => tmp.cleanup());

describe("transformers.js over an encrypted BERT", () => {
  const { cfg, weights } = tinyEncoder("bert", "tjs-bert");
  beforeAll(async () => {
    await writeModelFolder(p("bert"), getArchitecture("bert"), cfg, weights, { build: { fused: false } });
    await encryptModelFolder(p("bert"), p("bert-enc"), { keyPath: p("bert.key") });
  });

  it("gives the plain runner's class logits", async () => {
    const seqs = [
      [2, 15, 33, 80, 4, 3],
      [2, 90, 91, 92, 93, 3],
    ];
    const m = await TransformersJsEncryptedModel.open(p("bert-enc"), p("bert.key"));
    const plain = await ClassifierSession.open(p("bert"), { loadTokenizer: false });
    try {
      expect(m.model.constructor.name).toBe("BertForSequenceClassification");
      const out = await m.forward(seqs);
      const ref = await plain.runIds(padBatch(seqs, cfg.padTokenId));
      expect(out.dims).toEqual([2, cfg.numLabels]);
      expect(maxDiff(out.logits, ref.logits)).toBeLessThan(1e-4);
    } finally {
      await m.dispose();
      await plain.dispose();
    }
  });
});

describe("transformers.js over an encrypted Llama", () => {
  const { cfg, weights } = tinyLlama("tjs-llama", { eos_token_id: 2 });
  beforeAll(async () => {
    await writeModelFolder(p("llama"), getArchitecture("llama"), cfg, weights, { build: { fused: false } });
    await encryptModelFolder(p("llama"), p("llama-enc"), { keyPath: p("llama.key") });
  });

  it("gives the plain runner's logits and greedy tokens", async () => {
    const prompts = [
      [1, 17, 300, 42, 8],
      [1, 400, 3, 77, 9],
    ];
    const m = await TransformersJsEncryptedModel.open(p("llama-enc"), p("llama.key"));
    const plain = await CausalLMSession.open(p("llama"));
    try {
      expect(m.model.constructor.name).toBe("LlamaForCausalLM");
      const out = await m.forward(prompts);
      const pre = await plain.prefill(prompts);
      expect(out.dims).toEqual([2, 5, cfg.vocabSize]);
      expect(maxDiff(out.logits, pre.allLogits)).toBeLessThan(1e-4);
      const theirs = await m.generateGreedy(prompts, 6);
      const ours = await plain.generate(prompts, { maxNewTokens: 6 });
      for (const [b, s] of ours.sequences.entries())
        expect(theirs[b].slice(0, s.tokenIds.length)).toEqual(s.tokenIds);
    } finally {
      await m.dispose();
      await plain.dispose();
    }
  });
});

import { createRandom, invertPermutation, permuteRows, randomPermutation, type StateDict } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { LLAMA_EMBED, LLAMA_LM_HEAD } from "../../src/llama/weights.js";
import { leftPadBatch } from "../../src/runner/generate.js";
import { softmaxProb } from "../../src/runner/sampling.js";
import { buildTinyFolder, maxAbsDiff, referenceGreedy, tinyConfig, tinyWeights } from "../llama/helpers.js";

const cfg = tinyConfig();
const weights = tinyWeights(cfg, 21);
const prompts = [
  [5, 17, 300, 42, 8, 99, 123, 7, 64, 11],
  [400, 3, 77],
];

describe("leftPadBatch", () => {
  it("pads on the left and masks the padding", () => {
    const { ids, mask, seqLen } = leftPadBatch([[7, 8, 9], [4]], 0);
    expect(seqLen).toBe(3);
    expect([...ids]).toEqual([7n, 8n, 9n, 0n, 0n, 4n]);
    expect([...mask]).toEqual([1n, 1n, 1n, 0n, 0n, 1n]);
    expect(() => leftPadBatch([[1], []], 0)).toThrow(/prompt 1 is empty/);
  });
});

describe("CausalLMSession on llama-tiny", () => {
  let built: Awaited<ReturnType<typeof buildTinyFolder>>;
  let session: CausalLMSession;
  const ref = new LlamaReference(cfg, weights);

  beforeAll(async () => {
    built = await buildTinyFolder(cfg, weights);
    session = await CausalLMSession.open(built.dir);
  });
  afterAll(async () => {
    await session?.dispose();
    built?.cleanup();
  });

  it("greedy generation of a left-padded batch equals the reference, row by row", async () => {
    const res = await session.generate(prompts, { maxNewTokens: 6, eosTokenIds: [] });
    expect(res.promptLength).toBe(10);
    expect(res.perTokenMs.length).toBe(5);
    expect(res.timeToFirstTokenMs).toBeGreaterThan(0);
    prompts.forEach((p, b) => {
      const r = referenceGreedy(ref, p, 6);
      expect(res.sequences[b].tokenIds).toEqual(r.tokens);
      expect(res.sequences[b].finishReason).toBe("length");
      expect(maxAbsDiff(res.sequences[b].firstTokenLogits, r.firstLogits)).toBeLessThan(1e-4);
      expect(res.sequences[b].firstTokenProb).toBeCloseTo(softmaxProb(r.firstLogits, r.tokens[0]), 5);
    });
  });

  it("stops a row at eos while the other continues", async () => {
    const r0 = referenceGreedy(ref, prompts[0], 6);
    const eos = r0.tokens[2];
    const res = await session.generate(prompts, { maxNewTokens: 6, eosTokenIds: [eos] });
    expect(res.sequences[0].tokenIds).toEqual(r0.tokens.slice(0, 3));
    expect(res.sequences[0].finishReason).toBe("eos");
    const r1 = referenceGreedy(ref, prompts[1], 6, [eos]);
    expect(res.sequences[1].tokenIds).toEqual(r1.tokens);
  });

  it("prefill/decode expose raw last-position logits and the cache length", async () => {
    const pre = await session.prefill([prompts[1]]);
    expect(pre.logits.length).toBe(cfg.vocabSize);
    expect(pre.allLogitsDims).toEqual([1, 3, cfg.vocabSize]);
    expect(session.cacheLength).toBe(3);
    const step = await session.decode([9]);
    expect(session.cacheLength).toBe(4);
    const r = ref.forward({ inputIds: [[...prompts[1], 9]] });
    expect(maxAbsDiff(step.logits, r.logits.subarray(3 * cfg.vocabSize))).toBeLessThan(1e-4);
    await expect(session.decode([1, 2])).rejects.toThrow(/2 tokens for a batch of 1/);
    await expect(session.prefill([[cfg.vocabSize]])).rejects.toThrow(/outside the vocabulary/);
  });

  it("runs a last-token-logits graph to the same tokens and first-token logits", async () => {
    const last = await buildTinyFolder(cfg, weights, { lastTokenLogitsOnly: true });
    const s = await CausalLMSession.open(last.dir);
    try {
      const a = await s.generate(prompts, { maxNewTokens: 4, eosTokenIds: [] });
      const b = await session.generate(prompts, { maxNewTokens: 4, eosTokenIds: [] });
      expect(a.sequences.map((x) => x.tokenIds)).toEqual(b.sequences.map((x) => x.tokenIds));
      expect(maxAbsDiff(a.sequences[1].firstTokenLogits, b.sequences[1].firstTokenLogits)).toBeLessThan(1e-5);
      expect((await s.prefill(prompts)).allLogitsDims).toEqual([2, 1, cfg.vocabSize]);
    } finally {
      await s.dispose();
      last.cleanup();
    }
  });

  it("seeded sampling is reproducible and needs a seed", async () => {
    const opts = { maxNewTokens: 5, temperature: 1.5, topK: 50, topP: 0.95, seed: 3, eosTokenIds: [] };
    const a = await session.generate(prompts, opts);
    const b = await session.generate(prompts, opts);
    expect(a.sequences.map((s) => s.tokenIds)).toEqual(b.sequences.map((s) => s.tokenIds));
    await expect(session.generate(prompts, { maxNewTokens: 2, temperature: 1 })).rejects.toThrow(
      /needs `seed` or `rng`/,
    );
  });

  it("logitsProcessor sees every step's logits before sampling", async () => {
    const steps: number[] = [];
    const banned = 0;
    const res = await session.generate([prompts[0]], {
      maxNewTokens: 4,
      eosTokenIds: [],
      logitsProcessor: (logits, B, step) => {
        steps.push(step);
        const out = logits.slice();
        for (let b = 0; b < B; b++)
          out
            .fill(-1e9, b * cfg.vocabSize, (b + 1) * cfg.vocabSize)
            .fill(5, b * cfg.vocabSize + banned + 1, b * cfg.vocabSize + banned + 2);
        return out;
      },
    });
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(res.sequences[0].tokenIds).toEqual([1, 1, 1, 1]);
  });
});

/** The vocab-permuted model (DESIGN §4.1): embedding rows and LM-head rows moved by π. */
function vocabEncrypt(w: StateDict, perm: Int32Array): StateDict {
  const out: StateDict = new Map(w);
  for (const name of [LLAMA_EMBED, LLAMA_LM_HEAD]) {
    const t = w.get(name)!;
    out.set(name, { ...t, data: permuteRows(t.data as Float32Array, t.shape[0], t.shape[1], perm) });
  }
  return out;
}

describe("CausalLMSession as the server of an EE client (vocab permutation)", () => {
  it("generates encrypted ids that decrypt to the plain generation, greedy and sampled", async () => {
    const perm = randomPermutation(cfg.vocabSize, createRandom({ seed: "vocab" }));
    const inv = invertPermutation(perm);
    const plainDir = await buildTinyFolder(cfg, weights);
    const encDir = await buildTinyFolder(cfg, vocabEncrypt(weights, perm));
    const plain = await CausalLMSession.open(plainDir.dir);
    const enc = await CausalLMSession.open(encDir.dir);
    try {
      const eos = [prompts[0][3]];
      for (const opts of [{ temperature: 0 }, { temperature: 1.2, topK: 40, topP: 0.9, seed: 11 }]) {
        const p = await plain.generate(prompts, { maxNewTokens: 5, eosTokenIds: eos, ...opts });
        const e = await enc.generate(
          prompts.map((row) => row.map((t) => perm[t])),
          { maxNewTokens: 5, eosTokenIds: eos.map((t) => perm[t]), padTokenId: perm[eos[0]], ...opts },
        );
        e.sequences.forEach((s, b) => {
          expect(s.tokenIds.map((t) => inv[t])).toEqual(p.sequences[b].tokenIds);
          expect(s.firstTokenProb).toBeCloseTo(p.sequences[b].firstTokenProb, 5);
        });
      }
    } finally {
      await plain.dispose();
      await enc.dispose();
      plainDir.cleanup();
      encDir.cleanup();
    }
  });
});

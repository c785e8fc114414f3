import { describe, expect, it } from "vitest";
import { LlamaReference } from "../../src/llama/reference.js";
import { maxAbsDiff, tinyConfig, tinyWeights } from "./helpers.js";

const cfg = tinyConfig();
const ref = new LlamaReference(cfg, tinyWeights(cfg, 4));
const V = cfg.vocabSize;
const prompt = [3, 99, 14, 250, 7, 400, 31, 8];

describe("LlamaReference", () => {
  it("returns the embedding rows as hidden[0] and one hidden state per layer", () => {
    const r = ref.forward({ inputIds: [prompt] }, { returnHidden: true });
    expect(r.hidden?.length).toBe(cfg.numLayers + 1);
    const emb = tinyWeights(cfg, 4).get("model.embed_tokens.weight")!.data as Float32Array;
    const d = cfg.hiddenSize;
    expect(maxAbsDiff(r.hidden![0].subarray(d, 2 * d), emb.subarray(99 * d, 100 * d))).toBe(0);
    expect(r.logits.length).toBe(prompt.length * V);
  });

  it("prefill + KV-cache decode steps equal one forward over the whole sequence", () => {
    const whole = ref.forward({ inputIds: [prompt] });
    let r = ref.forward({ inputIds: [prompt.slice(0, 5)] });
    for (let t = 5; t < prompt.length; t++) {
      r = ref.forward({
        inputIds: [[prompt[t]]],
        past: r.present,
        attentionMask: [new Array<number>(t + 1).fill(1)],
      });
      expect(maxAbsDiff(r.logits, whole.logits.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-12);
    }
    expect(r.present.length).toBe(prompt.length);
  });

  it("is causal: a later token does not change earlier logits", () => {
    const a = ref.forward({ inputIds: [prompt] });
    const b = ref.forward({ inputIds: [[...prompt.slice(0, 6), 1, 2]] });
    expect(maxAbsDiff(a.logits.subarray(0, 6 * V), b.logits.subarray(0, 6 * V))).toBeLessThan(1e-12);
    expect(maxAbsDiff(a.logits.subarray(7 * V), b.logits.subarray(7 * V))).toBeGreaterThan(1e-3);
  });

  it("left padding with a mask equals the unpadded row", () => {
    const alone = ref.forward({ inputIds: [prompt] });
    const padded = ref.forward({
      inputIds: [[0, 0, 0, ...prompt]],
      attentionMask: [[0, 0, 0, ...prompt.map(() => 1)]],
    });
    expect(maxAbsDiff(alone.logits, padded.logits.subarray(3 * V))).toBeLessThan(1e-12);
  });

  it("RoPE makes attention relative: shifting every position by a constant keeps the logits", () => {
    // holds for any frequencies, llama3-scaled included, because q·k depends on cos/sin of (m − n) only
    const base = ref.forward({ inputIds: [prompt], positionIds: [prompt.map((_, i) => i)] });
    const shifted = ref.forward({ inputIds: [prompt], positionIds: [prompt.map((_, i) => i + 100)] });
    expect(maxAbsDiff(base.logits, shifted.logits)).toBeLessThan(1e-9);
    const scrambled = ref.forward({ inputIds: [prompt], positionIds: [prompt.map((_, i) => 2 * i)] });
    expect(maxAbsDiff(base.logits, scrambled.logits)).toBeGreaterThan(1e-3);
  });

  it("rejects out-of-vocabulary ids and mis-sized masks", () => {
    expect(() => ref.forward({ inputIds: [[V]] })).toThrow(/inputIds\[0\]\[0\] = 512 is outside \[0, 512\)/);
    expect(() => ref.forward({ inputIds: [[1, 2]], attentionMask: [[1]] })).toThrow(
      /attentionMask\[0\] has length 1, expected P \+ T = 2/,
    );
  });
});

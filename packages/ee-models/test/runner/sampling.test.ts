import { createRandom, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { argmax, checkSamplingOptions, sampleToken, softmaxProb } from "../../src/runner/sampling.js";

const logits = Float32Array.from([0.5, 2.0, -1.0, 1.5, 0.0, 3.0, -2.0, 1.0]);

describe("sampleToken", () => {
  it("greedy picks the argmax and reports its softmax probability", () => {
    const s = sampleToken(logits, {});
    expect(s.tokenId).toBe(5);
    expect(argmax(logits)).toBe(5);
    let z = 0;
    for (const l of logits) z += Math.exp(l);
    expect(s.prob).toBeCloseTo(Math.exp(3) / z, 12);
    expect(softmaxProb(logits, 1)).toBeCloseTo(Math.exp(2) / z, 12);
  });

  it("top-k 1 and a tiny top-p reduce to greedy", () => {
    const rng = createRandom({ seed: 1 });
    for (let i = 0; i < 20; i++) {
      expect(sampleToken(logits, { temperature: 2, topK: 1 }, rng).tokenId).toBe(5);
      expect(sampleToken(logits, { temperature: 2, topP: 0.01 }, rng).tokenId).toBe(5);
    }
  });

  it("samples from the tempered softmax restricted to top-k (empirical frequencies)", () => {
    const rng = createRandom({ seed: 2 });
    const n = 20000;
    const counts = new Array<number>(logits.length).fill(0);
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 2, topK: 3 }, rng).tokenId]++;
    const kept = [5, 1, 3];
    const w = kept.map((k) => Math.exp(logits[k] / 2));
    const z = w.reduce((a, b) => a + b, 0);
    kept.forEach((k, i) => {
      expect(counts[k] / n).toBeCloseTo(w[i] / z, 1);
    });
    expect(counts.reduce((a, c, i) => a + (kept.includes(i) ? 0 : c), 0)).toBe(0);
  });

  it("top-p keeps the smallest prefix reaching p", () => {
    // probabilities at T = 1: token 5 ≈ 0.50, 1 ≈ 0.18, 3 ≈ 0.11 → p = 0.6 keeps {5, 1}
    const rng = createRandom({ seed: 3 });
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(sampleToken(logits, { temperature: 1, topP: 0.6 }, rng).tokenId);
    expect([...seen].sort()).toEqual([1, 5]);
  });

  it("commutes with a permutation of the vocabulary (same seed → permuted token)", () => {
    const V = 1000;
    const base = createRandom({ seed: 4 }).fillGaussian(new Float32Array(V), 2);
    const perm = randomPermutation(V, createRandom({ seed: 5 }));
    const permuted = new Float32Array(V);
    for (let t = 0; t < V; t++) permuted[perm[t]] = base[t];
    for (const opts of [
      { temperature: 1 },
      { temperature: 0.7, topK: 20 },
      { temperature: 1.3, topP: 0.9 },
    ]) {
      const a = createRandom({ seed: 6 });
      const b = createRandom({ seed: 6 });
      for (let i = 0; i < 50; i++) {
        const plain = sampleToken(base, opts, a);
        const enc = sampleToken(permuted, opts, b);
        expect(enc.tokenId).toBe(perm[plain.tokenId]);
        expect(enc.prob).toBeCloseTo(plain.prob, 12);
      }
    }
  });

  it("rejects bad options, naming the field", () => {
    expect(() => checkSamplingOptions({ temperature: -1 })).toThrow(/temperature/);
    expect(() => checkSamplingOptions({ topK: 1.5 })).toThrow(/topK/);
    expect(() => checkSamplingOptions({ topP: 0 })).toThrow(/topP/);
    expect(() => sampleToken(logits, { temperature: 1 })).toThrow(/random source/);
  });
});

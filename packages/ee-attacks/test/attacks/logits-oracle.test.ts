/**
 * The logits oracle's two halves: signatures (sorted top-k log-probs) are invariant under a permutation
 * of the logits; the tolerant matcher recovers π from permuted, slightly noisy signature tables and
 * fails — as it must — when the noise swamps the signal.
 */
import { createRandom, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { logitsOracleMatch, oracleSignatures } from "../../src/attacks/logits-oracle.js";
import { scoreRanking } from "../../src/metrics.js";
import type { Matrix } from "../../src/types.js";

describe("oracleSignatures", () => {
  it("keeps the k largest log-probs, sorted, unchanged by a permutation of the logits", () => {
    const rng = createRandom({ seed: 1 });
    const V = 50;
    const logits = rng.fillGaussian(new Float32Array(2 * V), 3);
    const perm = randomPermutation(V, rng);
    const permuted = new Float32Array(2 * V);
    for (let b = 0; b < 2; b++) for (let t = 0; t < V; t++) permuted[b * V + perm[t]] = logits[b * V + t];
    const a = oracleSignatures(logits, 2, V, 8);
    const b = oracleSignatures(permuted, 2, V, 8);
    expect(Array.from(b)).toEqual(Array.from(a));
    for (let j = 1; j < 8; j++) expect(a[j]).toBeLessThanOrEqual(a[j - 1]);
    // log-probs: the largest is ≤ 0 and exp-sums over the full row to 1
    const row = logits.subarray(0, V);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    expect(a[0]).toBeCloseTo(max - lse, 5);
  });
});

function tables(V: number, k: number, noise: number, seed: number) {
  const rng = createRandom({ seed });
  const plain = rng.fillGaussian(new Float32Array(V * k), 1);
  for (let r = 0; r < V; r++)
    plain
      .subarray(r * k, (r + 1) * k)
      .sort()
      .reverse();
  const perm = randomPermutation(V, rng);
  const enc = new Float32Array(V * k);
  const eps = rng.fillGaussian(new Float32Array(V * k), noise);
  for (let t = 0; t < V; t++)
    for (let c = 0; c < k; c++) enc[perm[t] * k + c] = plain[t * k + c] + eps[perm[t] * k + c];
  const m = (data: Float32Array): Matrix => ({ rows: V, cols: k, data });
  return { view: { description: "test", plainSignatures: m(plain), encryptedSignatures: m(enc) }, perm };
}

describe("logitsOracleMatch", () => {
  it("recovers every id from exactly permuted signatures", () => {
    const { view, perm } = tables(2000, 16, 0, 2);
    const r = logitsOracleMatch(view);
    expect(scoreRanking(r.ranking, perm).top1Pct).toBe(100);
    expect(r.exactMatches).toBe(2000);
  });

  it("recovers ≥ 99 % under noise 100× smaller than the signature spread", () => {
    const { view, perm } = tables(2000, 16, 0.01, 3);
    expect(scoreRanking(logitsOracleMatch(view).ranking, perm).top1Pct).toBeGreaterThanOrEqual(99);
  });

  it("falls to near chance when the noise is as large as the signal", () => {
    const { view, perm } = tables(2000, 16, 3, 4);
    expect(scoreRanking(logitsOracleMatch(view).ranking, perm).top1Pct).toBeLessThan(5);
  });

  it("rejects tables of different shapes, naming both", () => {
    const a = tables(10, 4, 0, 5).view;
    const b = tables(12, 4, 0, 5).view;
    expect(() => logitsOracleMatch({ ...a, encryptedSignatures: b.encryptedSignatures })).toThrow(
      /10×4 plain vs 12×4 encrypted/,
    );
  });
});

import { createRandom, haarOrthogonal, permuteCols, permuteRows, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { exactRowMatch } from "../../src/attacks/weights-exact.js";
import { DEFAULT_GRAM_MATCH, gramAnchorMatch } from "../../src/attacks/weights-gram.js";
import { procrustesMatch } from "../../src/attacks/weights-procrustes.js";
import { sortedValueMatch } from "../../src/attacks/weights-sorted.js";
import { scoreRanking } from "../../src/metrics.js";
import type { Matrix } from "../../src/types.js";
import { gaussianMatrix, rotateRows } from "../helpers/synthetic.js";

const V = 2000;
const d = 32;
const rng = createRandom({ seed: 41 });
const pi = randomPermutation(V, rng);
const E = gaussianMatrix(V, d, 0.02, rng);
const W = gaussianMatrix(V, d, 0.02, rng);
const moveRows = (m: Matrix): Matrix => ({
  rows: m.rows,
  cols: m.cols,
  data: permuteRows(m.data, m.rows, m.cols, pi),
});

describe("public-weights attacks", () => {
  it("vocab scheme: exact row matching recovers π completely", () => {
    const r = exactRowMatch(E, moveRows(E));
    expect(r.matchedRows).toBe(V);
    expect(scoreRanking(r.ranking, pi).top1Pct).toBe(100);
  });

  it("hidden column permutation: exact rows fail, sorted-value signatures recover π", () => {
    const P = randomPermutation(d, rng);
    const enc = moveRows({ rows: V, cols: d, data: permuteCols(E.data, V, d, P) });
    expect(exactRowMatch(E, enc).matchedRows).toBe(0);
    const r = sortedValueMatch(E, enc);
    expect(r.exactRows).toBe(V);
    expect(scoreRanking(r.ranking, pi).top1Pct).toBe(100);
  });

  it("Haar rotation: sorted values fail, Gram anchors (with an untied LM head) recover most rows, Procrustes recovers Q and all rows", () => {
    const Q = haarOrthogonal(d, rng);
    const w = {
      plainEmbedding: E,
      encryptedEmbedding: moveRows(rotateRows(E, Q)),
      plainLmHead: W,
      encryptedLmHead: moveRows(rotateRows(W, Q)),
    };
    expect(scoreRanking(sortedValueMatch(E, w.encryptedEmbedding).ranking, pi).top1Pct).toBeLessThan(1);
    const g = gramAnchorMatch(w, DEFAULT_GRAM_MATCH);
    expect(g.anchors.plain.length).toBeGreaterThanOrEqual(8);
    for (let k = 0; k < g.anchors.plain.length; k++)
      expect(pi[g.anchors.plain[k]]).toBe(g.anchors.encrypted[k]);
    expect(scoreRanking(g.ranking, pi).top1Pct).toBeGreaterThan(95);
    const p = procrustesMatch(w, g, createRandom({ seed: 42 }));
    expect(scoreRanking(p.ranking, pi).top1Pct).toBe(100);
    let err = 0;
    for (let i = 0; i < d * d; i++) err = Math.max(err, Math.abs(p.q[i] - Q[i]));
    expect(err).toBeLessThan(1e-4);
  });

  it("rejects mismatched shapes", () => {
    expect(() => exactRowMatch(E, { rows: 3, cols: d, data: new Float32Array(3 * d) })).toThrow(/plain is/);
    expect(() => exactRowMatch(E, { rows: V, cols: d, data: new Float32Array(5) })).toThrow(
      /data has 5 values/,
    );
  });
});

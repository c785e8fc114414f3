import { createRandom, haarOrthogonal, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { residualMatch } from "../../src/attacks/residual-match.js";
import { scoreRanking } from "../../src/metrics.js";
import type { Matrix, ResidualStatesView } from "../../src/types.js";
import { gaussianMatrix, rotateRows } from "../helpers/synthetic.js";

/** Rows of `m` reordered so that row π(t) of the result is row t of `m`. */
function permuteRowsBy(m: Matrix, perm: Int32Array): Matrix {
  const out = new Float32Array(m.data.length);
  for (let t = 0; t < m.rows; t++) out.set(m.data.subarray(t * m.cols, (t + 1) * m.cols), perm[t] * m.cols);
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Plain states, and the encrypted model's: rows relabelled by π, basis rotated by Q, plus noise. */
function view(
  V: number,
  d: number,
  noise: number,
  seed: number,
): { v: ResidualStatesView; perm: Int32Array } {
  const rng = createRandom({ seed });
  const perm = randomPermutation(V, rng);
  const q = haarOrthogonal(d, rng);
  const plain = gaussianMatrix(V, d, 1, rng);
  const bos = gaussianMatrix(3, d, 1, rng);
  const enc = rotateRows(permuteRowsBy(plain, perm), q);
  for (let i = 0; i < enc.data.length; i++) enc.data[i] += noise * rng.gaussian();
  return {
    v: {
      description: "synthetic",
      layers: [{ layer: 1, plain, encrypted: enc }],
      bosPlain: bos,
      bosEncrypted: rotateRows(bos, q),
    },
    perm,
  };
}

describe("residualMatch (vocabulary matching on residual states in a hidden orthogonal basis)", () => {
  it("recovers every id of an exactly rotated, relabelled table", () => {
    const { v, perm } = view(400, 16, 0, 1);
    const r = residualMatch(v, 1);
    expect(scoreRanking(r.ranking, perm).top1Pct).toBe(100);
    expect(r.relativeResidual).toBeLessThan(1e-5);
  });

  it("the Procrustes refinement tolerates noise the signatures alone do not (bounds: ≥ 95 % after, fewer before)", () => {
    // noise 0.2 per coordinate (states of unit scale): the signatures alone place ≈ 64 % (widest lead)
    const { v, perm } = view(400, 16, 0.2, 2);
    const r = residualMatch(v, 1);
    const after = scoreRanking(r.ranking, perm).top1Pct;
    const before = scoreRanking(r.signatureRanking, perm).top1Pct;
    expect(after).toBeGreaterThanOrEqual(95);
    expect(before).toBeLessThan(after);
  });

  it("names a missing layer", () => {
    const { v } = view(50, 4, 0, 3);
    expect(() => residualMatch(v, 2)).toThrow(/no states for layer 2/);
  });

  it("an encoder's view (no BOS states): the query's own other-layer states stand in, equal norms and all", () => {
    const rng = createRandom({ seed: 4 });
    const V = 300;
    const d = 12;
    const perm = randomPermutation(V, rng);
    const q = haarOrthogonal(d, rng);
    // three layers of LayerNorm-like states: every row has norm √d, so the norm tells no row apart
    const layers = [0, 1, 2].map((layer) => {
      const plain = gaussianMatrix(V, d, 1, rng);
      for (let r = 0; r < V; r++) {
        const row = plain.data.subarray(r * d, (r + 1) * d);
        const n = Math.hypot(...row);
        for (let c = 0; c < d; c++) row[c] *= Math.sqrt(d) / n;
      }
      return { layer, plain, encrypted: rotateRows(permuteRowsBy(plain, perm), q) };
    });
    const v: ResidualStatesView = { description: "synthetic encoder", layers };
    for (const { layer } of layers) {
      const r = residualMatch(v, layer);
      expect(scoreRanking(r.signatureRanking, perm).top1Pct, `layer ${layer}`).toBe(100);
      expect(scoreRanking(r.ranking, perm).top1Pct, `layer ${layer}`).toBe(100);
    }
    expect(() => residualMatch({ ...v, bosPlain: layers[0].plain }, 0)).toThrow(
      /BOS states given for one model only/,
    );
  });
});

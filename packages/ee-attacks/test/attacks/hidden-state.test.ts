import { createRandom, permuteCols, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { hiddenStateInversion } from "../../src/attacks/hidden-state.js";
import { scoreObservations } from "../../src/metrics.js";
import type { Matrix } from "../../src/types.js";
import { gaussianMatrix } from "../helpers/synthetic.js";

/** LayerNorm without affine terms, row-wise. */
function layerNorm(x: Float32Array, rows: number, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let c = 0; c < d; c++) m += x[r * d + c];
    m /= d;
    let v = 0;
    for (let c = 0; c < d; c++) v += (x[r * d + c] - m) ** 2;
    const s = Math.sqrt(v / d + 1e-12);
    for (let c = 0; c < d; c++) out[r * d + c] = (x[r * d + c] - m) / s;
  }
  return out;
}

describe("hiddenStateInversion", () => {
  const V = 400;
  const d = 32;
  const n = 60;
  const rng = createRandom({ seed: 51 });
  const E = gaussianMatrix(V, d, 0.02, rng);
  const pos = gaussianMatrix(n, d, 0.02, rng);
  const ids = Int32Array.from({ length: n }, () => rng.int(V));
  const u = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < d; c++) u[i * d + c] = E.data[ids[i] * d + c] + pos.data[i * d + c];
  const plainActs = layerNorm(u, n, d);
  const P = randomPermutation(d, rng);
  const encActs: Matrix = { rows: n, cols: d, data: permuteCols(plainActs, n, d, P) };
  // the basis estimate as a matrix: enc = plain · Pmat with Pmat[c][P[c]] = 1
  const Pmat = new Float64Array(d * d);
  for (let c = 0; c < d; c++) Pmat[c * d + P[c]] = 1;

  it("inverts LayerNorm'd activations exactly with the right basis, near chance with none", () => {
    const view = {
      corpus: "synthetic",
      activations: encActs,
      offsets: pos,
      centered: true,
      trueTokenIds: ids,
    };
    const right = hiddenStateInversion(view, E, Pmat, n);
    expect(scoreObservations(right.ranking, right.trueIds).top1Pct).toBe(100);
    const none = hiddenStateInversion(view, E, null, n);
    expect(scoreObservations(none.ranking, none.trueIds).top1Pct).toBeLessThan(10); // chance 0.25 %
  });

  it("under vocab (identity basis) the identity estimate is exact; maxRows caps the work", () => {
    const view = {
      corpus: "synthetic",
      activations: { rows: n, cols: d, data: plainActs },
      offsets: pos,
      centered: true,
      trueTokenIds: ids,
    };
    const r = hiddenStateInversion(view, E, null, 20);
    expect(r.ranking.count).toBe(20);
    expect(scoreObservations(r.ranking, r.trueIds).top1Pct).toBe(100);
    expect(() => hiddenStateInversion({ ...view, trueTokenIds: ids.subarray(0, 3) }, E, null, 20)).toThrow(
      /trueTokenIds/,
    );
  });
});

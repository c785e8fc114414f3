/**
 * Hidden-state inversion: the server sees layer-0 activations y (one per token position) in its
 * secret basis. With a basis estimate Q̂ (identity when the attacker has none; the Procrustes
 * estimate from the public weights otherwise; E' ≈ E Q̂ so plain ≈ y Q̂ᵀ) it maps y back and finds the
 * public embedding row that explains it best:
 *
 *   score(v) = cos( ŷ, c(E_v + o) ),   ŷ = c(y Q̂ᵀ)
 *
 * where `o` is the public position/type offset of that position and `c` subtracts the mean when the
 * activations come out of a LayerNorm (then `(u − μ)/σ·γ + β` with γ = 1, β = 0 is a positive
 * multiple of c(u)); without centring `c` is the identity. RMSNorm outputs are positive multiples of
 * their input, so cosine handles them too. Cost: 2·n·V·d multiply-adds for n rows.
 */
import { checkMatrix } from "../linalg/rows.js";
import { emptyObservationRanking } from "../ranking.js";
import type { HiddenStateView, Matrix, ObservationRanking } from "../types.js";

/** Rank plain ids for the first `maxRows` activation rows. `basis` = Q̂ (`d × d`) or null for identity. */
export function hiddenStateInversion(
  view: HiddenStateView,
  table: Matrix,
  basis: Float64Array | null,
  maxRows: number,
  depth = 10,
): { ranking: ObservationRanking; trueIds: Int32Array } {
  const Y = view.activations;
  checkMatrix(Y, "hiddenStateInversion: activations");
  checkMatrix(table, "hiddenStateInversion: table");
  const d = table.cols;
  if (Y.cols !== d)
    throw new Error(`hiddenStateInversion: activations have ${Y.cols} columns, table has ${d}`);
  if (view.trueTokenIds.length !== Y.rows)
    throw new Error(
      `hiddenStateInversion: trueTokenIds has ${view.trueTokenIds.length} entries for ${Y.rows} rows`,
    );
  if (view.offsets) {
    checkMatrix(view.offsets, "hiddenStateInversion: offsets");
    if (view.offsets.rows !== Y.rows || view.offsets.cols !== d)
      throw new Error("hiddenStateInversion: offsets must have the activations' shape");
  }
  if (basis && basis.length !== d * d)
    throw new Error(`hiddenStateInversion: basis has ${basis.length} values, expected ${d * d}`);
  const n = Math.min(Y.rows, maxRows);
  const V = table.rows;
  // per-row constants of the table: ‖E_v‖², mean(E_v)
  const sq = new Float64Array(V);
  const mean = new Float64Array(V);
  for (let v = 0; v < V; v++) {
    let s = 0;
    let m = 0;
    for (let c = 0; c < d; c++) {
      const x = table.data[v * d + c];
      s += x * x;
      m += x;
    }
    sq[v] = s;
    mean[v] = m / d;
  }
  const ranking = emptyObservationRanking(n, depth);
  const yh = new Float64Array(d);
  const o = new Float64Array(d);
  const topScore = new Float64Array(depth);
  for (let i = 0; i < n; i++) {
    // ŷ = y Q̂ᵀ, centred if needed
    for (let j = 0; j < d; j++) {
      if (!basis) {
        yh[j] = Y.data[i * d + j];
        continue;
      }
      let s = 0;
      for (let c = 0; c < d; c++) s += Y.data[i * d + c] * basis[j * d + c];
      yh[j] = s;
    }
    if (view.centered) subtractMean(yh);
    o.fill(0);
    if (view.offsets) for (let c = 0; c < d; c++) o[c] = view.offsets.data[i * d + c];
    let yo = 0;
    let oo = 0;
    let om = 0;
    for (let c = 0; c < d; c++) {
      yo += yh[c] * o[c];
      oo += o[c] * o[c];
      om += o[c];
    }
    om /= d;
    topScore.fill(Number.NEGATIVE_INFINITY);
    const base = i * depth;
    for (let v = 0; v < V; v++) {
      // ⟨ŷ, u⟩ and ⟨E_v, o⟩ with u = E_v + o (ŷ centred ⇒ ⟨ŷ, c(u)⟩ = ⟨ŷ, u⟩)
      let ye = 0;
      let eo = 0;
      const vo = v * d;
      for (let c = 0; c < d; c++) {
        const x = table.data[vo + c];
        ye += yh[c] * x;
        eo += x * o[c];
      }
      let uu = sq[v] + 2 * eo + oo;
      if (view.centered) {
        const mu = mean[v] + om;
        uu -= d * mu * mu;
      }
      const score = (ye + yo) / Math.sqrt(Math.max(uu, 1e-30));
      if (score > topScore[depth - 1]) {
        let j = depth - 1;
        while (j > 0 && topScore[j - 1] < score) {
          topScore[j] = topScore[j - 1];
          ranking.ids[base + j] = ranking.ids[base + j - 1];
          j--;
        }
        topScore[j] = score;
        ranking.ids[base + j] = v;
      }
    }
  }
  return { ranking, trueIds: view.trueTokenIds.slice(0, n) };
}

function subtractMean(x: Float64Array): void {
  let m = 0;
  for (let c = 0; c < x.length; c++) m += x[c];
  m /= x.length;
  for (let c = 0; c < x.length; c++) x[c] -= m;
}

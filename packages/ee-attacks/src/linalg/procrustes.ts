/**
 * Orthogonal Procrustes: given anchor rows `A` (plain, m × d) and `B` (encrypted, m × d) with
 * `B ≈ A Q` for an unknown orthogonal `Q`, the minimiser of ‖A Q − B‖_F over orthogonal Q is the
 * polar factor of the cross-covariance `M = Aᵀ B` (Schönemann 1966): `Q̂ = U Vᵀ` for `M = U Σ Vᵀ`.
 * Needs the anchors to span R^d (m ≥ d, in general position).
 */
import type { Matrix, ProcrustesResult } from "../types.js";
import { matmul4 } from "./matmul4.js";
import { polarOrthogonal } from "./polar.js";

/** Solve orthogonal Procrustes for anchor rows `plainRows[i] ↔ encRows[i]` taken from two tables. */
export function procrustesRotation(
  plain: Matrix,
  plainRows: Int32Array,
  enc: Matrix,
  encRows: Int32Array,
): ProcrustesResult {
  const d = plain.cols;
  if (enc.cols !== d) throw new Error(`procrustesRotation: plain has ${d} columns, enc has ${enc.cols}`);
  if (plainRows.length !== encRows.length)
    throw new Error(`procrustesRotation: ${plainRows.length} plain rows vs ${encRows.length} encrypted rows`);
  const m = plainRows.length;
  if (m < d)
    throw new Error(
      `procrustesRotation: ${m} anchor pairs cannot determine a ${d}-dimensional rotation (need ≥ d)`,
    );
  // M = Aᵀ B with Aᵀ (d × m) and B (m × d) gathered from the anchor rows
  const at = new Float64Array(d * m);
  const b = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    const pa = plainRows[i] * d;
    const pb = encRows[i] * d;
    for (let c = 0; c < d; c++) {
      at[c * m + i] = plain.data[pa + c];
      b[i * d + c] = enc.data[pb + c];
    }
  }
  const cross = matmul4(at, b, d, m, d);
  const polar = polarOrthogonal(cross, d);
  // residual ‖A Q̂ − B‖ / ‖B‖
  const a = new Float64Array(m * d);
  for (let i = 0; i < m; i++) for (let c = 0; c < d; c++) a[i * d + c] = at[c * m + i];
  const aq = matmul4(a, polar.q, m, d, d);
  let num = 0;
  let den = 0;
  for (let i = 0; i < m * d; i++) {
    num += (aq[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return {
    q: polar.q,
    relativeResidual: Math.sqrt(num / Math.max(den, 1e-300)),
    iterations: polar.iterations,
  };
}

/**
 * Folding a public norm gain into the rows that read the normed vector. A norm followed by a linear
 * layer computes `norm(x) · diag(g) · Wᵀ`; an encrypter (Llama `full`) writes `diag(g)` into the head
 * before rotating it, so a plain head must get the same fold before rows are compared. Folding both
 * sides with their own (public) gains makes the comparison independent of where the gain was stored.
 */
import type { Matrix } from "../types.js";

/** A copy of `m` with every row multiplied elementwise by `gain` (`[cols]`): rows `w_t ⊙ g`. */
export function foldRowGain(m: Matrix, gain: Float32Array | Float64Array, what: string): Matrix {
  if (gain.length !== m.cols)
    throw new Error(`${what}: norm gain has ${gain.length} values, the matrix has ${m.cols} columns`);
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const o = r * m.cols;
    for (let c = 0; c < m.cols; c++) data[o + c] = m.data[o + c] * gain[c];
  }
  return { rows: m.rows, cols: m.cols, data };
}

/** True when every value of `gain` is exactly 1 (nothing to fold). */
export function isUnitGain(gain: Float32Array | Float64Array): boolean {
  for (let i = 0; i < gain.length; i++) if (gain[i] !== 1) return false;
  return true;
}

/**
 * Row-wise quantities of a float32 matrix (float64 accumulation): norms, dot products, projections.
 */
import type { Matrix } from "../types.js";

/** Check that `m` is a well-formed matrix; `what` names it in the error. */
export function checkMatrix(m: Matrix, what: string): void {
  if (!Number.isSafeInteger(m.rows) || m.rows < 1 || !Number.isSafeInteger(m.cols) || m.cols < 1)
    throw new Error(`${what}: rows and cols must be positive integers, got ${m.rows} × ${m.cols}`);
  if (m.data.length !== m.rows * m.cols)
    throw new Error(`${what}: data has ${m.data.length} values, expected ${m.rows} × ${m.cols}`);
}

/** Euclidean norm of every row. */
export function rowNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    const o = r * m.cols;
    for (let c = 0; c < m.cols; c++) s += m.data[o + c] * m.data[o + c];
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** `⟨a_r, b_r⟩` for every row `r` of two equally shaped matrices. */
export function rowwiseDots(a: Matrix, b: Matrix): Float64Array {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new Error(`rowwiseDots: shapes differ (${a.rows}×${a.cols} vs ${b.rows}×${b.cols})`);
  const out = new Float64Array(a.rows);
  for (let r = 0; r < a.rows; r++) {
    let s = 0;
    const o = r * a.cols;
    for (let c = 0; c < a.cols; c++) s += a.data[o + c] * b.data[o + c];
    out[r] = s;
  }
  return out;
}

/**
 * `m P` for a float64 projection `P` (`cols × k`, row-major): one k-vector per row (`rows × k`).
 */
export function projectRows(m: Matrix, p: Float64Array, k: number): Float64Array {
  if (p.length !== m.cols * k)
    throw new Error(`projectRows: projection has ${p.length} values, expected ${m.cols} × ${k}`);
  const out = new Float64Array(m.rows * k);
  const acc = new Float64Array(k);
  for (let r = 0; r < m.rows; r++) {
    acc.fill(0);
    const o = r * m.cols;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[o + c];
      const po = c * k;
      for (let j = 0; j < k; j++) acc[j] += v * p[po + j];
    }
    out.set(acc, r * k);
  }
  return out;
}

/** The rows `idx` of `m` stacked as a float64 `cols × idx.length` matrix (columns = chosen rows). */
export function rowsAsColumns(m: Matrix, idx: Int32Array): Float64Array {
  const k = idx.length;
  const out = new Float64Array(m.cols * k);
  for (let j = 0; j < k; j++) {
    const o = idx[j] * m.cols;
    for (let c = 0; c < m.cols; c++) out[c * k + j] = m.data[o + c];
  }
  return out;
}

/**
 * Public-weights attack under a hidden PERMUTATION basis (`full` on BERT/RoBERTa: the columns of the
 * embedding are permuted, LayerNorm allows nothing more): a row's multiset of values is invariant,
 * so its sorted values are a signature. Signature = [row sum, 24 evenly spaced order statistics];
 * nearest signatures (window search on the sum) give the ranking. A Gaussian row's order statistics
 * are distinct almost surely, so on synthetic weights this is exact; real tables with duplicate rows
 * leave ties, which the top-10 lists show.
 */
import { checkMatrix } from "../linalg/rows.js";
import { windowMatch } from "../linalg/window-match.js";
import type { CandidateRanking, Matrix } from "../types.js";

/** Order statistics kept per row (besides the sum). */
const QUANTILES = 24;

/** Sorted-value signature `[sum, q₁ … q₂₄]` of every row. */
export function sortedSignatures(m: Matrix): Float64Array {
  const k = QUANTILES + 1;
  const out = new Float64Array(m.rows * k);
  const buf = new Float32Array(m.cols);
  for (let r = 0; r < m.rows; r++) {
    buf.set(m.data.subarray(r * m.cols, (r + 1) * m.cols));
    buf.sort();
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += buf[c];
    out[r * k] = s;
    for (let q = 0; q < QUANTILES; q++)
      out[r * k + 1 + q] = buf[Math.round((q * (m.cols - 1)) / (QUANTILES - 1))];
  }
  return out;
}

/** Match encrypted rows to plain rows by sorted-value signatures. */
export function sortedValueMatch(
  plain: Matrix,
  enc: Matrix,
  depth = 10,
): { ranking: CandidateRanking; exactRows: number } {
  checkMatrix(plain, "sortedValueMatch: plain");
  checkMatrix(enc, "sortedValueMatch: enc");
  if (plain.cols !== enc.cols)
    throw new Error(`sortedValueMatch: plain has ${plain.cols} columns, enc has ${enc.cols}`);
  const ps = sortedSignatures(plain);
  const es = sortedSignatures(enc);
  // sums of the same multiset in the same (sorted) order are bit-identical; allow float32-level noise
  let scale = 0;
  for (let r = 0; r < plain.rows; r++) scale = Math.max(scale, Math.abs(ps[r * (QUANTILES + 1)]));
  const m = windowMatch(ps, es, {
    k: QUANTILES + 1,
    tolerance: 1e-6 * Math.max(scale, 1e-12),
    depth,
    minWindow: depth,
  });
  let exactRows = 0;
  for (let e = 0; e < enc.rows; e++) if (m.best[e] === 0) exactRows++;
  return { ranking: { vocabSize: enc.rows, depth, ids: m.ids }, exactRows };
}

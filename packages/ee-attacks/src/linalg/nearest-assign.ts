/**
 * Tolerant matching of row signatures: nearest neighbours (window search on a robust leading
 * coordinate, full Euclidean distance over all coordinates) followed by a one-to-one assignment —
 * the mapping is a permutation, so a plain row claimed by a closer encrypted row is not reused. The
 * assignment is greedy over all (encrypted, candidate) pairs by ascending distance; an encrypted row
 * whose candidates are all taken keeps its nearest one.
 */
import type { CandidateRanking } from "../types.js";
import { windowMatch } from "./window-match.js";

/** Options of `nearestAssignment`. */
export interface NearestAssignOptions {
  /** Signature length (coordinates per row). */
  k: number;
  /** Candidates kept per encrypted row. */
  depth: number;
  /** Half-width of the search window on the leading coordinate (signature units). */
  tolerance: number;
  /** Plain rows always examined on each side of the insertion point. */
  minWindow?: number;
  /** Cap on plain rows examined per side. */
  maxWindow?: number;
}

/** Result of `nearestAssignment`. */
export interface NearestAssignResult {
  /** Ranked plain rows per encrypted row; the first guess is the assignment. */
  ranking: CandidateRanking;
  /** Distance to the nearest candidate per encrypted row (signature units). */
  best: Float64Array;
  /** Distance to the second nearest (signature units). */
  second: Float64Array;
  /** Encrypted rows whose first guess changed because the assignment gave it to another row. */
  reassigned: number;
}

/** Prepend the row mean (a low-noise summary) as coordinate 0 of each `k`-wide row. */
export function withMeanLead(sig: Float64Array, k: number): Float64Array {
  const rows = sig.length / k;
  const out = new Float64Array(rows * (k + 1));
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += sig[r * k + c];
    out[r * (k + 1)] = s / k;
    out.set(sig.subarray(r * k, (r + 1) * k), r * (k + 1) + 1);
  }
  return out;
}

/** Standard deviation of coordinate `c` (default 0, the lead) over the rows of a `k`-wide signature table. */
export function leadSpread(sig: Float64Array, k: number, c = 0): number {
  const n = sig.length / k;
  let m = 0;
  for (let r = 0; r < n; r++) m += sig[r * k + c];
  m /= n;
  let v = 0;
  for (let r = 0; r < n; r++) v += (sig[r * k + c] - m) ** 2;
  return Math.sqrt(v / Math.max(1, n - 1));
}

/**
 * Both signature tables with the coordinate of widest spread on `plain` moved to the front (the lead
 * that `nearestAssignment` windows on): a lead that is nearly the same for every row, e.g. the norm of a
 * LayerNorm output, would leave the window nothing to cut. The other coordinates keep their order.
 */
export function widestLead(plain: Float64Array, enc: Float64Array, k: number): [Float64Array, Float64Array] {
  let lead = 0;
  for (let c = 1; c < k; c++) if (leadSpread(plain, k, c) > leadSpread(plain, k, lead)) lead = c;
  if (lead === 0) return [plain, enc];
  const order = [lead, ...Array.from({ length: k }, (_, c) => c).filter((c) => c !== lead)];
  const reorder = (sig: Float64Array): Float64Array => {
    const out = new Float64Array(sig.length);
    for (let r = 0; r < sig.length / k; r++)
      for (let j = 0; j < k; j++) out[r * k + j] = sig[r * k + order[j]];
    return out;
  };
  return [reorder(plain), reorder(enc)];
}

/** Nearest neighbours of every encrypted signature, then a greedy one-to-one assignment. */
export function nearestAssignment(
  plainSig: Float64Array,
  encSig: Float64Array,
  vocabSize: number,
  opts: NearestAssignOptions,
): NearestAssignResult {
  const { k, depth } = opts;
  const m = windowMatch(plainSig, encSig, {
    k,
    tolerance: opts.tolerance,
    depth,
    minWindow: opts.minWindow ?? Math.max(depth, 32),
    maxWindow: opts.maxWindow ?? 4096,
  });
  const nEnc = encSig.length / k;
  // candidate distances, recomputed for the kept list (windowMatch returns only best/second)
  const pairs: { e: number; j: number; d: number }[] = [];
  for (let e = 0; e < nEnc; e++) {
    for (let j = 0; j < depth; j++) {
      const p = m.ids[e * depth + j];
      if (p < 0) continue;
      let d2 = 0;
      for (let c = 0; c < k; c++) {
        const diff = plainSig[p * k + c] - encSig[e * k + c];
        d2 += diff * diff;
      }
      pairs.push({ e, j, d: d2 });
    }
  }
  pairs.sort((a, b) => a.d - b.d);
  const takenPlain = new Uint8Array(plainSig.length / k);
  const chosen = new Int32Array(nEnc).fill(-1);
  for (const { e, j } of pairs) {
    if (chosen[e] !== -1) continue;
    const p = m.ids[e * depth + j];
    if (takenPlain[p]) continue;
    takenPlain[p] = 1;
    chosen[e] = j;
  }
  const ids = new Int32Array(nEnc * depth);
  let reassigned = 0;
  for (let e = 0; e < nEnc; e++) {
    const base = e * depth;
    const j0 = chosen[e] === -1 ? 0 : chosen[e];
    if (j0 !== 0) reassigned++;
    ids[base] = m.ids[base + j0];
    let o = 1;
    for (let j = 0; j < depth; j++) if (j !== j0) ids[base + o++] = m.ids[base + j];
  }
  return { ranking: { vocabSize, depth, ids }, best: m.best, second: m.second, reassigned };
}

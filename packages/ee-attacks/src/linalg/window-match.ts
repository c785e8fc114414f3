/**
 * Nearest-neighbour matching of row signatures without a V × V scan: plain rows are sorted by the
 * first signature coordinate; each encrypted row looks only at plain rows whose first coordinate is
 * within `tolerance` of its own (plus at least `minWindow` neighbours on each side, at most
 * `maxWindow`), and ranks them by Euclidean distance over all coordinates.
 */

/** Result of `windowMatch`. */
export interface WindowMatch {
  /** `encRows × depth` plain row indices, nearest first (`-1` = none). */
  ids: Int32Array;
  /** Distance to the nearest candidate per encrypted row (signature units; +∞ when none). */
  best: Float64Array;
  /** Distance to the second nearest (+∞ when none). */
  second: Float64Array;
}

/** Options of `windowMatch`. */
export interface WindowMatchOptions {
  /** Signature length `k` (coordinates per row). */
  k: number;
  /** Half-width of the window on coordinate 0 (signature units). */
  tolerance: number;
  /** Candidates kept per encrypted row. */
  depth: number;
  /** Plain rows examined on each side of the insertion point even outside the tolerance. */
  minWindow?: number;
  /** Cap on plain rows examined per side. */
  maxWindow?: number;
}

/** Match every row of `encSig` (`nEnc × k`) to rows of `plainSig` (`nPlain × k`). */
export function windowMatch(
  plainSig: Float64Array,
  encSig: Float64Array,
  opts: WindowMatchOptions,
): WindowMatch {
  const { k, tolerance, depth } = opts;
  if (!Number.isSafeInteger(k) || k < 1)
    throw new Error(`windowMatch: k must be a positive integer, got ${k}`);
  if (plainSig.length % k !== 0 || encSig.length % k !== 0)
    throw new Error(`windowMatch: signature lengths are not multiples of k = ${k}`);
  if (!(tolerance >= 0)) throw new Error(`windowMatch: tolerance must be ≥ 0, got ${tolerance}`);
  const minWindow = opts.minWindow ?? 2;
  const maxWindow = opts.maxWindow ?? 4096;
  const nPlain = plainSig.length / k;
  const nEnc = encSig.length / k;
  const order = Int32Array.from({ length: nPlain }, (_, i) => i).sort(
    (a, b) => plainSig[a * k] - plainSig[b * k],
  );
  const key = Float64Array.from(order, (r) => plainSig[r * k]);
  const ids = new Int32Array(nEnc * depth).fill(-1);
  const dist = new Float64Array(depth);
  const best = new Float64Array(nEnc).fill(Number.POSITIVE_INFINITY);
  const second = new Float64Array(nEnc).fill(Number.POSITIVE_INFINITY);
  for (let e = 0; e < nEnc; e++) {
    const s0 = encSig[e * k];
    // insertion point: first key ≥ s0
    let lo = 0;
    let hi = nPlain;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key[mid] < s0) lo = mid + 1;
      else hi = mid;
    }
    dist.fill(Number.POSITIVE_INFINITY);
    const base = e * depth;
    let found = 0;
    const consider = (pos: number): void => {
      const r = order[pos];
      let d2 = 0;
      for (let c = 0; c < k; c++) {
        const diff = plainSig[r * k + c] - encSig[e * k + c];
        d2 += diff * diff;
      }
      const dd = Math.sqrt(d2);
      if (found < depth || dd < dist[depth - 1]) {
        // insert keeping `dist` ascending
        let j = Math.min(found, depth - 1);
        while (j > 0 && dist[j - 1] > dd) {
          dist[j] = dist[j - 1];
          ids[base + j] = ids[base + j - 1];
          j--;
        }
        dist[j] = dd;
        ids[base + j] = r;
        if (found < depth) found++;
      }
      if (dd < best[e]) {
        second[e] = best[e];
        best[e] = dd;
      } else if (dd < second[e]) second[e] = dd;
    };
    for (
      let p = lo, n = 0;
      p < nPlain && n < maxWindow && (n < minWindow || key[p] - s0 <= tolerance);
      p++, n++
    )
      consider(p);
    for (
      let p = lo - 1, n = 0;
      p >= 0 && n < maxWindow && (n < minWindow || s0 - key[p] <= tolerance);
      p--, n++
    )
      consider(p);
  }
  return { ids, best, second };
}

/**
 * Sparse weighted adjacency of a bigram count table in compressed-row form: for every id, its
 * successors (out-edges) and predecessors (in-edges) with their counts.
 */
import type { PairCounts } from "./pair-counts.js";

/** Compressed sparse rows: neighbours of id `a` are `nbr[start[a] .. start[a+1])`. */
export interface SparseRows {
  /** `n + 1` offsets into `nbr` / `count`. */
  start: Int32Array;
  /** Neighbour ids. */
  nbr: Int32Array;
  /** Pair counts, aligned with `nbr`. */
  count: Float64Array;
}

/** Out-edges (a → b) and in-edges (b ← a) of a pair-count table. */
export interface Adjacency {
  /** Id range. */
  n: number;
  /** Successors of each id with counts. */
  out: SparseRows;
  /** Predecessors of each id with counts. */
  in: SparseRows;
}

/** Build both directions from a pair table. Neighbour lists are sorted by descending count. */
export function buildAdjacency(pairs: PairCounts): Adjacency {
  const n = pairs.n;
  const outDeg = new Int32Array(n);
  const inDeg = new Int32Array(n);
  pairs.forEach((a, b) => {
    outDeg[a]++;
    inDeg[b]++;
  });
  const out = allocRows(outDeg);
  const inn = allocRows(inDeg);
  const outFill = out.start.slice(0, n);
  const inFill = inn.start.slice(0, n);
  pairs.forEach((a, b, c) => {
    const o = outFill[a]++;
    out.nbr[o] = b;
    out.count[o] = c;
    const i = inFill[b]++;
    inn.nbr[i] = a;
    inn.count[i] = c;
  });
  sortRowsByCount(out, n);
  sortRowsByCount(inn, n);
  return { n, out, in: inn };
}

function allocRows(deg: Int32Array): SparseRows {
  const start = new Int32Array(deg.length + 1);
  for (let i = 0; i < deg.length; i++) start[i + 1] = start[i] + deg[i];
  const total = start[deg.length];
  return { start, nbr: new Int32Array(total), count: new Float64Array(total) };
}

function sortRowsByCount(rows: SparseRows, n: number): void {
  for (let a = 0; a < n; a++) {
    const s = rows.start[a];
    const e = rows.start[a + 1];
    if (e - s < 2) continue;
    const order = Array.from({ length: e - s }, (_, k) => s + k).sort(
      (x, y) => rows.count[y] - rows.count[x] || rows.nbr[x] - rows.nbr[y],
    );
    const nb = order.map((k) => rows.nbr[k]);
    const ct = order.map((k) => rows.count[k]);
    for (let k = 0; k < nb.length; k++) {
      rows.nbr[s + k] = nb[k];
      rows.count[s + k] = ct[k];
    }
  }
}

/**
 * Counts of ordered id pairs `(a, b)`, `0 ≤ a, b < n`, keyed by `a·n + b` (exact in a float64 for any
 * vocabulary below 2^26) in a `CountTable`.
 */
import { CountTable, mixIds } from "./count-table.js";

export class PairCounts {
  /** Id range `n` (ids are in `[0, n)`). */
  readonly n: number;
  private readonly table: CountTable;

  constructor(n: number, expectedPairs = 1024) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 1 << 26)
      throw new Error(`PairCounts: n must be an integer in [1, 2^26], got ${n}`);
    this.n = n;
    this.table = new CountTable(expectedPairs);
  }

  /** Number of distinct pairs stored. */
  get size(): number {
    return this.table.size;
  }

  /** Add `w` to the count of `(a, b)`. */
  add(a: number, b: number, w = 1): void {
    this.table.add(a * this.n + b, mixIds(a, b), w);
  }

  /** The count of `(a, b)` (0 when absent). */
  get(a: number, b: number): number {
    return this.table.get(a * this.n + b, mixIds(a, b));
  }

  /** Visit every stored pair once (table order). */
  forEach(fn: (a: number, b: number, count: number) => void): void {
    const n = this.n;
    this.table.forEach((k, count) => {
      const a = Math.floor(k / n);
      fn(a, k - a * n, count);
    });
  }
}

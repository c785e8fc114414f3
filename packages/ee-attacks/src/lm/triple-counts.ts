/**
 * Counts of ordered id triples `(a, b, c)`, `0 ≤ a, b, c < n`, keyed by `(a·n + b)·n + c` (exact in a
 * float64 while n³ < 2^53, i.e. n < 208,063 — every real vocabulary) in a `CountTable`.
 */
import { CountTable, mixIds } from "./count-table.js";

export class TripleCounts {
  /** Id range `n` (ids are in `[0, n)`). */
  readonly n: number;
  private readonly table: CountTable;

  constructor(n: number, expectedTriples = 1024) {
    if (!Number.isSafeInteger(n) || n < 1 || n ** 3 >= 2 ** 53)
      throw new Error(`TripleCounts: n must be an integer with n³ < 2^53, got ${n}`);
    this.n = n;
    this.table = new CountTable(expectedTriples);
  }

  /** Number of distinct triples stored. */
  get size(): number {
    return this.table.size;
  }

  /** Add `w` to the count of `(a, b, c)`. */
  add(a: number, b: number, c: number, w = 1): void {
    this.table.add((a * this.n + b) * this.n + c, mixIds(a, b, c), w);
  }

  /** The count of `(a, b, c)` (0 when absent). */
  get(a: number, b: number, c: number): number {
    return this.table.get((a * this.n + b) * this.n + c, mixIds(a, b, c));
  }

  /** Visit every stored triple once (table order). */
  forEach(fn: (a: number, b: number, c: number, count: number) => void): void {
    const n = this.n;
    this.table.forEach((k, count) => {
      const c = k % n;
      const ab = (k - c) / n;
      const b = ab % n;
      fn((ab - b) / n, b, c, count);
    });
  }
}

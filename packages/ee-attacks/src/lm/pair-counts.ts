/**
 * Counts of ordered id pairs `(a, b)`, `0 ≤ a, b < n`, in an open-addressing hash table keyed by
 * `a·n + b` (exact in a float64 for any vocabulary below 2^26). Faster and leaner than a Map for the
 * millions of lookups a hill climb makes.
 */
export class PairCounts {
  /** Id range `n` (ids are in `[0, n)`). */
  readonly n: number;
  private keys: Float64Array;
  private counts: Float64Array;
  private mask: number;
  private used = 0;

  constructor(n: number, expectedPairs = 1024) {
    if (!Number.isSafeInteger(n) || n < 1 || n > 1 << 26)
      throw new Error(`PairCounts: n must be an integer in [1, 2^26], got ${n}`);
    this.n = n;
    let cap = 16;
    while (cap < expectedPairs * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.counts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Number of distinct pairs stored. */
  get size(): number {
    return this.used;
  }

  /** Add `w` to the count of `(a, b)`. */
  add(a: number, b: number, w = 1): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    const key = a * this.n + b;
    let h = slot(a, b) & this.mask;
    for (;;) {
      const k = this.keys[h];
      if (k === key) {
        this.counts[h] += w;
        return;
      }
      if (k === -1) {
        this.keys[h] = key;
        this.counts[h] = w;
        this.used++;
        return;
      }
      h = (h + 1) & this.mask;
    }
  }

  /** The count of `(a, b)` (0 when absent). */
  get(a: number, b: number): number {
    const key = a * this.n + b;
    let h = slot(a, b) & this.mask;
    for (;;) {
      const k = this.keys[h];
      if (k === key) return this.counts[h];
      if (k === -1) return 0;
      h = (h + 1) & this.mask;
    }
  }

  /** Visit every stored pair once (table order). */
  forEach(fn: (a: number, b: number, count: number) => void): void {
    for (let h = 0; h < this.keys.length; h++) {
      const k = this.keys[h];
      if (k === -1) continue;
      const a = Math.floor(k / this.n);
      fn(a, k - a * this.n, this.counts[h]);
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(oldKeys.length * 2).fill(-1);
    this.counts = new Float64Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.used = 0;
    for (let h = 0; h < oldKeys.length; h++) {
      const k = oldKeys[h];
      if (k === -1) continue;
      const a = Math.floor(k / this.n);
      this.add(a, k - a * this.n, oldCounts[h]);
    }
  }
}

/** A 32-bit mix of the pair (multiplicative hashing, then xor-shift). */
function slot(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/**
 * Counts of ordered id triples `(a, b, c)`, `0 ≤ a, b, c < n`, in an open-addressing hash table keyed
 * by `(a·n + b)·n + c` (exact in a float64 while n³ < 2^53, i.e. n < 208,063 — every real vocabulary).
 */
export class TripleCounts {
  /** Id range `n` (ids are in `[0, n)`). */
  readonly n: number;
  private keys: Float64Array;
  private counts: Float64Array;
  private mask: number;
  private used = 0;

  constructor(n: number, expectedTriples = 1024) {
    if (!Number.isSafeInteger(n) || n < 1 || n ** 3 >= 2 ** 53)
      throw new Error(`TripleCounts: n must be an integer with n³ < 2^53, got ${n}`);
    this.n = n;
    let cap = 16;
    while (cap < expectedTriples * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.counts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Number of distinct triples stored. */
  get size(): number {
    return this.used;
  }

  /** Add `w` to the count of `(a, b, c)`. */
  add(a: number, b: number, c: number, w = 1): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    this.addKey((a * this.n + b) * this.n + c, slot(a, b, c), w);
  }

  /** The count of `(a, b, c)` (0 when absent). */
  get(a: number, b: number, c: number): number {
    const key = (a * this.n + b) * this.n + c;
    let h = slot(a, b, c) & this.mask;
    for (;;) {
      const k = this.keys[h];
      if (k === key) return this.counts[h];
      if (k === -1) return 0;
      h = (h + 1) & this.mask;
    }
  }

  /** Visit every stored triple once (table order). */
  forEach(fn: (a: number, b: number, c: number, count: number) => void): void {
    const n = this.n;
    for (let h = 0; h < this.keys.length; h++) {
      const k = this.keys[h];
      if (k === -1) continue;
      const c = k % n;
      const ab = (k - c) / n;
      const b = ab % n;
      fn((ab - b) / n, b, c, this.counts[h]);
    }
  }

  private addKey(key: number, hash: number, w: number): void {
    let h = hash & this.mask;
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

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(oldKeys.length * 2).fill(-1);
    this.counts = new Float64Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    this.used = 0;
    const n = this.n;
    for (let h = 0; h < oldKeys.length; h++) {
      const k = oldKeys[h];
      if (k === -1) continue;
      const c = k % n;
      const ab = (k - c) / n;
      const b = ab % n;
      this.addKey(k, slot((ab - b) / n, b, c), oldCounts[h]);
    }
  }
}

/** A 32-bit mix of the triple (multiplicative hashing, then xor-shift). */
function slot(a: number, b: number, c: number): number {
  let h =
    Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c + 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

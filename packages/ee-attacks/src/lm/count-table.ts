/**
 * An open-addressing hash table from non-negative integer keys (exact in a float64) to float64 counts,
 * with the caller's 32-bit hash of each key (stored, so growing never re-derives it). The storage of
 * `PairCounts` and `TripleCounts`: faster and leaner than a Map for the millions of lookups a hill
 * climb makes.
 */
export class CountTable {
  private keys: Float64Array;
  private hashes: Uint32Array;
  private counts: Float64Array;
  private mask: number;
  private used = 0;

  constructor(expectedKeys = 1024) {
    let cap = 16;
    while (cap < expectedKeys * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(-1);
    this.hashes = new Uint32Array(cap);
    this.counts = new Float64Array(cap);
    this.mask = cap - 1;
  }

  /** Number of distinct keys stored. */
  get size(): number {
    return this.used;
  }

  /** Add `w` to the count of `key` (hash `hash`). */
  add(key: number, hash: number, w: number): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    this.insert(key, hash, w);
  }

  /** The count of `key` (hash `hash`); 0 when absent. */
  get(key: number, hash: number): number {
    let h = hash & this.mask;
    for (;;) {
      const k = this.keys[h];
      if (k === key) return this.counts[h];
      if (k === -1) return 0;
      h = (h + 1) & this.mask;
    }
  }

  /** Visit every stored key once (table order). */
  forEach(fn: (key: number, count: number) => void): void {
    for (let h = 0; h < this.keys.length; h++) if (this.keys[h] !== -1) fn(this.keys[h], this.counts[h]);
  }

  private insert(key: number, hash: number, w: number): void {
    let h = hash & this.mask;
    for (;;) {
      const k = this.keys[h];
      if (k === key) {
        this.counts[h] += w;
        return;
      }
      if (k === -1) {
        this.keys[h] = key;
        this.hashes[h] = hash;
        this.counts[h] = w;
        this.used++;
        return;
      }
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const { keys, hashes, counts } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.hashes = new Uint32Array(keys.length * 2);
    this.counts = new Float64Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    this.used = 0;
    for (let h = 0; h < keys.length; h++) if (keys[h] !== -1) this.insert(keys[h], hashes[h], counts[h]);
  }
}

/** A 32-bit mix of up to three ids (multiplicative hashing, then xor-shift). */
export function mixIds(a: number, b: number, c?: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  if (c !== undefined) h ^= Math.imul(c + 0x165667b1, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

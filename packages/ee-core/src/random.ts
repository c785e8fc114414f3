/**
 * Random sources: a CSPRNG by default (`crypto.randomFillSync`, the same source as `crypto.randomBytes`), or a reproducible stream derived
 * from a seed (AES-256-CTR keystream from node:crypto). See `RandomSource` in types.ts.
 *
 * Seeded streams:
 * - key = SHA-256("ee-core/random/v1" ‖ 0x00 ‖ type tag ‖ 0x00 ‖ seed text), IV = 16 zero bytes;
 *   integer seeds (`number` or `bigint`) share the tag "int" (so `7` and `7n` give the same stream),
 *   strings use the tag "str" (so `"7"` differs from `7`).
 * - `derive(label)` gives key' = SHA-256("ee-core/random/derive/v1" ‖ 0x00 ‖ key ‖ label), so a child
 *   depends only on (seed, label path), not on how much the parent or its siblings consumed.
 * - Words are read little-endian; a seeded stream refuses to run on a big-endian host rather than
 *   silently give other numbers.
 */
import { createCipheriv, createHash, randomFillSync } from "node:crypto";
import { endianness } from "node:os";
import type { CreateRandomOptions, RandomSource } from "./types.js";

/** Largest refill (1 MiB: large enough that `fillGaussian` is not per-call bound). */
const CHUNK_BYTES = 1 << 20;
/** First refill (4 KiB), doubled on each refill up to CHUNK_BYTES, so small derived streams stay cheap. */
const FIRST_CHUNK_BYTES = 1 << 12;
/** Plaintext for the CTR keystream; shared and never written. */
const ZEROS = new Uint8Array(CHUNK_BYTES);
const TWO_POW_32 = 4294967296;
const TWO_POW_52 = 4503599627370496;
const TWO_POW_53 = 9007199254740992;

/** Fills a byte buffer with fresh random (or keystream) bytes. */
type Refill = (out: Uint8Array) => void;

class StreamRandom implements RandomSource {
  readonly reproducible: boolean;
  private readonly refill: Refill;
  private readonly deriveChild: (label: string) => RandomSource;
  private buf = new Uint8Array(0);
  private words = new Uint32Array(0);
  /** Valid bytes in `buf` (a multiple of 16). */
  private size = 0;
  /** Next unread byte in `buf`; kept a multiple of 4 so words can be read directly. */
  private pos = 0;
  private spare = Number.NaN;

  constructor(reproducible: boolean, refill: Refill, deriveChild: (label: string) => RandomSource) {
    this.reproducible = reproducible;
    this.refill = refill;
    this.deriveChild = deriveChild;
  }

  private fillBuffer(): void {
    if (this.size < CHUNK_BYTES) {
      this.size = this.size === 0 ? FIRST_CHUNK_BYTES : this.size * 2;
      this.buf = new Uint8Array(this.size);
      this.words = new Uint32Array(this.buf.buffer);
    }
    this.refill(this.buf);
    this.pos = 0;
  }

  bytes(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new Error(`random.bytes: n must be a non-negative integer, got ${n}`);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.pos >= this.size) this.fillBuffer();
      const take = Math.min(n - filled, this.size - this.pos);
      out.set(this.buf.subarray(this.pos, this.pos + take), filled);
      this.pos += take;
      filled += take;
    }
    // keep word reads aligned
    this.pos = Math.min(this.size, (this.pos + 3) & ~3);
    return out;
  }

  uint32(): number {
    if (this.pos >= this.size) this.fillBuffer();
    const w = this.words[this.pos >>> 2];
    this.pos += 4;
    return w;
  }

  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive < 1) {
      throw new Error(`random.int: maxExclusive must be a positive safe integer, got ${maxExclusive}`);
    }
    if (maxExclusive <= TWO_POW_32) {
      // reject the top partial block so that every residue is equally likely
      const limit = TWO_POW_32 - (TWO_POW_32 % maxExclusive);
      for (;;) {
        const x = this.uint32();
        if (x < limit) return x % maxExclusive;
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % maxExclusive);
    for (;;) {
      const x = this.bits53();
      if (x < limit) return x % maxExclusive;
    }
  }

  private bits53(): number {
    const hi = this.uint32() >>> 11; // 21 bits
    const lo = this.uint32();
    return hi * TWO_POW_32 + lo;
  }

  float(): number {
    return this.bits53() / TWO_POW_53;
  }

  gaussian(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    // Marsaglia polar method on 53-bit uniforms in [−1, 1)
    for (;;) {
      const u = this.bits53() / TWO_POW_52 - 1;
      const v = this.bits53() / TWO_POW_52 - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      this.spare = v * f;
      return u * f;
    }
  }

  /**
   * Marsaglia's polar method straight from the buffer (no trigonometry; ≈ 21 % of candidate pairs
   * rejected). Float64 output: 53-bit uniforms (4 words per candidate pair). Float32 output carries 24
   * bits, so 32-bit uniforms suffice (2 words per candidate; largest magnitude ≈ 9.3).
   */
  fillGaussian<T extends Float32Array | Float64Array>(out: T, std = 1): T {
    if (!Number.isFinite(std) || std < 0)
      throw new Error(`random.fillGaussian: std must be finite and >= 0, got ${std}`);
    const n = out.length;
    const f32 = out instanceof Float32Array;
    const step = f32 ? 2 : 4;
    const scale32 = 2 / TWO_POW_32;
    let i = 0;
    while (i < n) {
      if (this.pos + 16 > this.size) this.fillBuffer();
      const words = this.words;
      const end = (this.size >>> 2) - step;
      let w = this.pos >>> 2;
      while (w <= end && i < n) {
        let u: number;
        let v: number;
        if (f32) {
          u = words[w] * scale32 - 1;
          v = words[w + 1] * scale32 - 1;
        } else {
          u = ((words[w] >>> 11) * TWO_POW_32 + words[w + 1]) / TWO_POW_52 - 1;
          v = ((words[w + 2] >>> 11) * TWO_POW_32 + words[w + 3]) / TWO_POW_52 - 1;
        }
        w += step;
        const s = u * u + v * v;
        if (s >= 1 || s === 0) continue;
        const f = std * Math.sqrt((-2 * Math.log(s)) / s);
        out[i++] = u * f;
        if (i < n) out[i++] = v * f;
      }
      this.pos = w << 2;
    }
    return out;
  }

  derive(label: string): RandomSource {
    if (typeof label !== "string") throw new Error("random.derive: label must be a string");
    return this.deriveChild(label);
  }
}

function checkLittleEndian(): void {
  if (endianness() !== "LE") {
    throw new Error("random: seeded streams are defined little-endian; this host is big-endian");
  }
}

function seedKey(seed: string | number | bigint): Buffer {
  let tag: string;
  let text: string;
  if (typeof seed === "string") {
    tag = "str";
    text = seed;
  } else if (typeof seed === "bigint") {
    tag = "int";
    text = seed.toString(10);
  } else if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed))
      throw new Error(`random: numeric seed must be a safe integer, got ${seed}`);
    tag = "int";
    text = BigInt(seed).toString(10);
  } else {
    throw new Error(`random: seed must be a string, number or bigint, got ${typeof seed}`);
  }
  return createHash("sha256")
    .update("ee-core/random/v1\0")
    .update(tag)
    .update("\0")
    .update(text, "utf8")
    .digest();
}

function childKey(parent: Buffer, label: string): Buffer {
  return createHash("sha256")
    .update("ee-core/random/derive/v1\0")
    .update(parent)
    .update(label, "utf8")
    .digest();
}

function seededSource(key: Buffer): RandomSource {
  checkLittleEndian();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const refill: Refill = (out) => {
    const ks = cipher.update(ZEROS.subarray(0, out.length));
    out.set(ks);
  };
  return new StreamRandom(true, refill, (label) => seededSource(childKey(key, label)));
}

function cryptoSource(): RandomSource {
  return new StreamRandom(
    false,
    (out) => {
      randomFillSync(out);
    },
    () => cryptoSource(),
  );
}

/**
 * A random source. Without a seed: a CSPRNG (`crypto.randomFillSync`, buffered), `reproducible: false`.
 * With a seed: an AES-256-CTR keystream, bit-identical across runs and machines, `reproducible: true`.
 */
export function createRandom(opts: CreateRandomOptions = {}): RandomSource {
  if (opts.seed === undefined) return cryptoSource();
  return seededSource(seedKey(opts.seed));
}

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
const TWO_POW_53 = 9007199254740992;
const TWO_PI = 2 * Math.PI;

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
    // Box–Muller with u1 in (0, 1] so the log is finite
    const u1 = (this.bits53() + 1) / TWO_POW_53;
    const u2 = this.bits53() / TWO_POW_53;
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = TWO_PI * u2;
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  fillGaussian<T extends Float32Array | Float64Array>(out: T, std = 1): T {
    if (!Number.isFinite(std) || std < 0)
      throw new Error(`random.fillGaussian: std must be finite and >= 0, got ${std}`);
    const n = out.length;
    let i = 0;
    if (out instanceof Float32Array) return this.fillGaussian32(out, std) as T;
    // Box–Muller over 4 words (two 53-bit uniforms) per pair of outputs, straight from the buffer
    while (i < n) {
      if (this.pos + 16 > this.size) this.fillBuffer();
      const words = this.words;
      const chunkWords = this.size >>> 2;
      let w = this.pos >>> 2;
      const pairsAvail = (chunkWords - w) >>> 2;
      const pairsWanted = (n - i + 1) >>> 1;
      const pairs = Math.min(pairsAvail, pairsWanted);
      for (let p = 0; p < pairs; p++) {
        const u1 = ((words[w] >>> 11) * TWO_POW_32 + words[w + 1] + 1) / TWO_POW_53;
        const u2 = ((words[w + 2] >>> 11) * TWO_POW_32 + words[w + 3]) / TWO_POW_53;
        w += 4;
        const r = std * Math.sqrt(-2 * Math.log(u1));
        const a = TWO_PI * u2;
        out[i++] = r * Math.cos(a);
        if (i < n) out[i++] = r * Math.sin(a);
      }
      this.pos = w << 2;
    }
    return out;
  }

  /**
   * Float32 output carries 24 bits, so 32-bit uniforms suffice (2 words per pair; the largest
   * magnitude is sqrt(2 ln 2^32) ≈ 6.66, exceeded by a true normal with probability ≈ 3e-11).
   */
  private fillGaussian32(out: Float32Array, std: number): Float32Array {
    const n = out.length;
    let i = 0;
    while (i < n) {
      if (this.pos + 16 > this.size) this.fillBuffer();
      const words = this.words;
      const chunkWords = this.size >>> 2;
      let w = this.pos >>> 2;
      const pairs = Math.min((chunkWords - w) >>> 1, (n - i + 1) >>> 1);
      for (let p = 0; p < pairs; p++) {
        const u1 = (words[w] + 1) / TWO_POW_32;
        const u2 = words[w + 1] / TWO_POW_32;
        w += 2;
        const r = std * Math.sqrt(-2 * Math.log(u1));
        const a = TWO_PI * u2;
        out[i++] = r * Math.cos(a);
        if (i < n) out[i++] = r * Math.sin(a);
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

/**
 * IEEE half (F16) and bfloat16 (BF16) conversions to and from float32 bit patterns.
 * Narrowing rounds to nearest, ties to even; NaN stays NaN; overflow goes to ±Infinity.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
let halfTable: Float32Array | undefined;

/** Float32 value of every F16 bit pattern (built once, 256 KiB). */
function table(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToNumber(h);
  }
  return halfTable;
}

/** The value of an F16 bit pattern. */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** The F16 bit pattern nearest to `x` (as rounded to float32 first). */
export function numberToHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // F16 subnormal: value = m · 2^-24 with m = significand >> (14 − e)
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is correct
  return sign | h;
}

/** The BF16 bit pattern nearest to `x` (as rounded to float32 first). */
export function numberToBfloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Widen F16 bit patterns into `out` (same length). */
export function halfToFloat32(src: Uint16Array, out: Float32Array): void {
  const t = table();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
}

/** Widen BF16 bit patterns into `out` (same length). */
export function bfloat16ToFloat32(src: Uint16Array, out: Float32Array): void {
  const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) o[i] = src[i] << 16;
}

/** Narrow float32 values to F16 bit patterns into `out` (same length). */
export function float32ToHalf(src: Float32Array, out: Uint16Array): void {
  for (let i = 0; i < src.length; i++) out[i] = numberToHalfBits(src[i]);
}

/** Narrow float32 values to BF16 bit patterns into `out` (same length). */
export function float32ToBfloat16(src: Float32Array, out: Uint16Array): void {
  const s = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const b = s[i];
    out[i] =
      (b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0
        ? ((b >>> 16) | 0x40) & 0xffff
        : ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
  }
}

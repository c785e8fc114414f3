/**
 * Encoding float32 rows into ggml's on-disk element types.
 * - f32: as is (little-endian).
 * - f16: IEEE half, round to nearest even.
 * - q8_0: blocks of 32 values; scale `d = max|x| / 127` stored as f16, then `q = round(x / d)` as int8
 *   (half away from zero, as C's `roundf`), `x ≈ d · q`. The scale is computed in float32 before it is
 *   rounded to f16, as ggml's reference quantizer does.
 */
import { float32ToHalf } from "ee-core";
import type { GgmlTypeName } from "./tensor-types.js";

/** Quantization block width of q8_0 (elements). */
export const Q8_0_BLOCK = 32;

/** The bytes of `x` as little-endian float32. */
export function encodeF32(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
}

/** The bytes of `x` as IEEE half. */
export function encodeF16(x: Float32Array): Uint8Array {
  const h = new Uint16Array(x.length);
  float32ToHalf(x, h);
  return new Uint8Array(h.buffer);
}

/** The bytes of `x` as q8_0 blocks (34 bytes per 32 values); `x.length` must be a multiple of 32. */
export function encodeQ8_0(x: Float32Array): Uint8Array {
  if (x.length % Q8_0_BLOCK !== 0)
    throw new Error(`q8_0: ${x.length} values are not a whole number of ${Q8_0_BLOCK}-value blocks`);
  const nb = x.length / Q8_0_BLOCK;
  const out = new Uint8Array(nb * 34);
  const view = new DataView(out.buffer);
  const scale = new Float32Array(1);
  const half = new Uint16Array(1);
  for (let b = 0; b < nb; b++) {
    const base = b * Q8_0_BLOCK;
    let amax = 0;
    for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(x[base + i]));
    scale[0] = amax / 127;
    const d = scale[0];
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    float32ToHalf(scale, half);
    const o = b * 34;
    view.setUint16(o, half[0], true);
    for (let i = 0; i < Q8_0_BLOCK; i++) {
      const v = Math.fround(x[base + i] * id);
      view.setInt8(o + 2 + i, Math.sign(v) * Math.round(Math.abs(v)));
    }
  }
  return out;
}

/** Encode a row-major float32 tensor as `type`. */
export function encodeTensor(x: Float32Array, type: GgmlTypeName): Uint8Array {
  if (type === "f32") return encodeF32(x);
  if (type === "f16") return encodeF16(x);
  return encodeQ8_0(x);
}

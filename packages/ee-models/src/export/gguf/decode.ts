/** Decoding ggml q8_0 blocks back to float32 (`x = d · q`), to measure what quantization lost. */
import { halfBitsToNumber } from "ee-core";
import { Q8_0_BLOCK } from "./encode.js";

/** Float32 values of q8_0 bytes (34 bytes per 32 values). */
export function decodeQ8_0(bytes: Uint8Array): Float32Array {
  if (bytes.length % 34 !== 0) throw new Error(`q8_0: ${bytes.length} bytes are not whole 34-byte blocks`);
  const nb = bytes.length / 34;
  const out = new Float32Array(nb * Q8_0_BLOCK);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nb; b++) {
    const d = halfBitsToNumber(view.getUint16(b * 34, true));
    for (let i = 0; i < Q8_0_BLOCK; i++) out[b * Q8_0_BLOCK + i] = d * view.getInt8(b * 34 + 2 + i);
  }
  return out;
}

/**
 * The GGUF container (version 3), as llama.cpp's `ggml/src/gguf.cpp` reads it. Little-endian:
 *
 *   "GGUF" · version u32 · tensor count u64 · KV count u64
 *   KV pairs:      key (string) · value type u32 · value
 *   tensor infos:  name (string) · n_dims u32 · dims u64[n_dims] (innermost first) · ggml type u32 ·
 *                  offset u64 (from the start of the data section, a multiple of the alignment)
 *   padding to the alignment, then the data section (each tensor padded to the alignment).
 * A string is a u64 byte length then UTF-8 bytes (no terminator).
 */

/** The four magic bytes "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
/** The container version written and read (version). */
export const GGUF_VERSION = 3;
/** Default alignment of tensor data (bytes); `general.alignment` may change it. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** GGUF metadata value types (`enum gguf_type`). */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** A metadata value type code. */
export type GgufValueTypeCode = (typeof GgufValueType)[keyof typeof GgufValueType];

/** Fixed byte width of each scalar value type (bytes); strings and arrays are variable. */
export const SCALAR_BYTES: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

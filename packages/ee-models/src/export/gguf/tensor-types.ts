/**
 * The ggml tensor types this project writes (`enum ggml_type`) and their block geometry: a row of
 * `ne0` elements is stored as `ne0 / blockSize` blocks of `blockBytes` bytes each.
 */

/** A tensor type the GGUF exporter can write. */
export type GgmlTypeName = "f32" | "f16" | "q8_0";

/** Geometry of one ggml tensor type. */
export interface GgmlTypeInfo {
  /** `enum ggml_type` code stored in the tensor info (code). */
  readonly code: number;
  /** Elements per block (elements). */
  readonly blockSize: number;
  /** Bytes per block (bytes). */
  readonly blockBytes: number;
}

/** The ggml types written here: F32 = 0, F16 = 1, Q8_0 = 8 (32 int8 values and one f16 scale). */
export const GGML_TYPES: Readonly<Record<GgmlTypeName, GgmlTypeInfo>> = {
  f32: { code: 0, blockSize: 1, blockBytes: 4 },
  f16: { code: 1, blockSize: 1, blockBytes: 2 },
  q8_0: { code: 8, blockSize: 32, blockBytes: 34 },
};

/** Every ggml type code → geometry (for reading files written elsewhere; llama.cpp's `type_traits`). */
export const GGML_TYPE_GEOMETRY: ReadonlyMap<
  number,
  { blockSize: number; blockBytes: number; name: string }
> = new Map([
  [0, { name: "F32", blockSize: 1, blockBytes: 4 }],
  [1, { name: "F16", blockSize: 1, blockBytes: 2 }],
  [2, { name: "Q4_0", blockSize: 32, blockBytes: 18 }],
  [3, { name: "Q4_1", blockSize: 32, blockBytes: 20 }],
  [6, { name: "Q5_0", blockSize: 32, blockBytes: 22 }],
  [7, { name: "Q5_1", blockSize: 32, blockBytes: 24 }],
  [8, { name: "Q8_0", blockSize: 32, blockBytes: 34 }],
  [9, { name: "Q8_1", blockSize: 32, blockBytes: 36 }],
  [10, { name: "Q2_K", blockSize: 256, blockBytes: 84 }],
  [11, { name: "Q3_K", blockSize: 256, blockBytes: 110 }],
  [12, { name: "Q4_K", blockSize: 256, blockBytes: 144 }],
  [13, { name: "Q5_K", blockSize: 256, blockBytes: 176 }],
  [14, { name: "Q6_K", blockSize: 256, blockBytes: 210 }],
  [15, { name: "Q8_K", blockSize: 256, blockBytes: 292 }],
  [24, { name: "I8", blockSize: 1, blockBytes: 1 }],
  [25, { name: "I16", blockSize: 1, blockBytes: 2 }],
  [26, { name: "I32", blockSize: 1, blockBytes: 4 }],
  [27, { name: "I64", blockSize: 1, blockBytes: 8 }],
  [28, { name: "F64", blockSize: 1, blockBytes: 8 }],
  [30, { name: "BF16", blockSize: 1, blockBytes: 2 }],
]);

/** Bytes of a tensor of ggml type `code` with dims `ne` (innermost first); throws on a partial block. */
export function ggmlTensorBytes(code: number, ne: readonly number[], where: string): number {
  const g = GGML_TYPE_GEOMETRY.get(code);
  if (!g) throw new Error(`${where}: unknown ggml type ${code}`);
  const ne0 = ne[0] ?? 1;
  if (ne0 % g.blockSize !== 0)
    throw new Error(
      `${where}: row of ${ne0} elements is not a whole number of ${g.name} blocks (${g.blockSize})`,
    );
  let rows = 1;
  for (let i = 1; i < ne.length; i++) rows *= ne[i];
  return (ne0 / g.blockSize) * g.blockBytes * rows;
}

/** `llama_ftype` recorded as `general.file_type`: ALL_F32 = 0, MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7. */
export const LLAMA_FILE_TYPE: Readonly<Record<GgmlTypeName, number>> = { f32: 0, f16: 1, q8_0: 7 };

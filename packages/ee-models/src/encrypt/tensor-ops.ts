/**
 * Small tensor transforms the encrypters apply to Hugging Face-layout weights.
 *
 * Conventions (DESIGN.md §3): row vectors, `y = x W + b`. A HF Linear `weight` is stored `[out, in]`,
 * i.e. it holds `Wᵀ`; its ROWS are output features and its COLUMNS are input features.
 * Every function returns a new F32 tensor and never modifies its argument.
 * Permutations use ee-core's scatter convention: `perm[i]` is where element `i` moves to.
 */
import { type Permutation, permuteCols, permuteRows, type Tensor } from "ee-core";

/** The F32 elements of `t`, or an Error naming the tensor. */
export function f32Data(t: Tensor, name: string): Float32Array {
  if (!(t.data instanceof Float32Array)) {
    throw new Error(`encrypt: tensor '${name}' must hold float32 data, got ${t.data.constructor.name}`);
  }
  return t.data;
}

/** `[rows, cols]` of a rank-2 tensor; a rank-1 tensor `[n]` counts as n rows of one column. */
function rowsCols(t: Tensor, name: string): [rows: number, cols: number] {
  if (t.shape.length === 1) return [t.shape[0], 1];
  if (t.shape.length === 2) return [t.shape[0], t.shape[1]];
  throw new Error(`encrypt: tensor '${name}' must be rank 1 or 2, got shape [${t.shape.join(", ")}]`);
}

function checkPermLength(perm: Permutation, n: number, name: string, axis: number): void {
  if (perm.length !== n) {
    throw new Error(`encrypt: permutation of length ${perm.length} does not fit axis ${axis} (size ${n}) of '${name}'`);
  }
}

function f32Tensor(shape: number[], data: Float32Array): Tensor {
  return { dtype: "F32", shape: [...shape], data };
}

/**
 * Move index `i` of `axis` to `perm[i]` (a scatter): `out[…, perm[i], …] = t[…, i, …]`.
 * Axis 0 of a rank-1 tensor permutes its entries.
 */
export function scatterAxis(t: Tensor, axis: 0 | 1, perm: Permutation, name: string): Tensor {
  const src = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  if (axis === 1 && t.shape.length !== 2) throw new Error(`encrypt: axis 1 of rank-1 tensor '${name}'`);
  checkPermLength(perm, axis === 0 ? rows : cols, name, axis);
  const out = axis === 0 ? permuteRows(src, rows, cols, perm) : permuteCols(src, rows, cols, perm);
  return f32Tensor(t.shape, out);
}

/** Multiply index `i` of `axis` by `scale[i]`: `out[…, i, …] = scale[i] · t[…, i, …]`. */
export function scaleAxis(t: Tensor, axis: 0 | 1, scale: ArrayLike<number>, name: string): Tensor {
  const src = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  const n = axis === 0 ? rows : cols;
  if (scale.length !== n) throw new Error(`encrypt: ${scale.length} scales do not fit axis ${axis} (size ${n}) of '${name}'`);
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = src[base + c] * scale[axis === 0 ? r : c];
  }
  return f32Tensor(t.shape, out);
}

/** `perm` over `numBlocks` blocks of `blockSize` expanded to the features: `f = b·size + j ↦ perm[b]·size + j`. */
export function expandBlockPermutation(perm: Permutation, blockSize: number): Permutation {
  const out = new Int32Array(perm.length * blockSize);
  for (let b = 0; b < perm.length; b++) {
    for (let j = 0; j < blockSize; j++) out[b * blockSize + j] = perm[b] * blockSize + j;
  }
  return out;
}

function checkBlocks(blocks: Float64Array | Float32Array, numBlocks: number, size: number, name: string): void {
  if (blocks.length !== numBlocks * size * size) {
    throw new Error(
      `encrypt: ${blocks.length} block values do not fit ${numBlocks} blocks of ${size}×${size} for '${name}'`,
    );
  }
}

/**
 * Output blocks in row-vector math: `W_h ← W_h M_h` for every block h of `size` output features.
 * `weight` is HF `[out, in]` (rows h·size… hold `W_hᵀ`, which become `M_hᵀ W_hᵀ`); a rank-1 `weight`
 * is a bias (`b_h ← b_h M_h`). `blocks` holds the `M_h` row-major, `[numBlocks, size, size]`.
 */
export function rightMultiplyOutputBlocks(
  weight: Tensor,
  blocks: Float64Array | Float32Array,
  size: number,
  name: string,
): Tensor {
  const src = f32Data(weight, name);
  const [rows, cols] = rowsCols(weight, name);
  if (rows % size !== 0) throw new Error(`encrypt: ${rows} outputs of '${name}' are not a multiple of block ${size}`);
  const numBlocks = rows / size;
  checkBlocks(blocks, numBlocks, size, name);
  const out = new Float32Array(src.length);
  const acc = new Float64Array(cols); // one output row, accumulated in float64
  for (let h = 0; h < numBlocks; h++) {
    const m = h * size * size; // M_h offset
    const base = h * size * cols; // first row of block h
    for (let r = 0; r < size; r++) {
      acc.fill(0);
      // new row r of the block = Σ_k M_h[k][r] · old row k   ([size, cols])
      for (let k = 0; k < size; k++) {
        const coef = blocks[m + k * size + r];
        if (coef === 0) continue;
        const row = base + k * cols;
        for (let c = 0; c < cols; c++) acc[c] += coef * src[row + c];
      }
      const dst = base + r * cols;
      for (let c = 0; c < cols; c++) out[dst + c] = acc[c];
    }
  }
  return f32Tensor(weight.shape, out);
}

/**
 * Input blocks in row-vector math: `W_h ← M_h W_h` for every block h of `size` input features
 * (the rows of W that read block h). `weight` is HF `[out, in]`: its columns h·size… hold `W_hᵀ`,
 * which become `W_hᵀ M_hᵀ`. `blocks` holds the `M_h` row-major, `[numBlocks, size, size]`.
 */
export function leftMultiplyInputBlocks(
  weight: Tensor,
  blocks: Float64Array | Float32Array,
  size: number,
  name: string,
): Tensor {
  const src = f32Data(weight, name);
  if (weight.shape.length !== 2) throw new Error(`encrypt: '${name}' must be a rank-2 weight`);
  const [rows, cols] = rowsCols(weight, name);
  if (cols % size !== 0) throw new Error(`encrypt: ${cols} inputs of '${name}' are not a multiple of block ${size}`);
  const numBlocks = cols / size;
  checkBlocks(blocks, numBlocks, size, name);
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let h = 0; h < numBlocks; h++) {
      const m = h * size * size;
      const off = base + h * size;
      // out[r, h·size + j] = Σ_k weight[r, h·size + k] · M_h[j][k]   (W_hᵀ M_hᵀ)
      for (let j = 0; j < size; j++) {
        let s = 0;
        const mj = m + j * size;
        for (let k = 0; k < size; k++) s += src[off + k] * blocks[mj + k];
        out[off + j] = s;
      }
    }
  }
  return f32Tensor(weight.shape, out);
}

/** `t` with its data copied (F32). */
export function cloneF32(t: Tensor, name: string): Tensor {
  return f32Tensor(t.shape, Float32Array.from(f32Data(t, name)));
}

/** A tensor of ones with `t`'s shape (an RMSNorm gain after folding). */
export function onesLike(t: Tensor): Tensor {
  const n = t.shape.reduce((a, b) => a * b, 1);
  return f32Tensor(t.shape, new Float32Array(n).fill(1));
}

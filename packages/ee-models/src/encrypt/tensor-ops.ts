/**
 * Small tensor transforms the encrypters apply to Hugging Face-layout weights.
 *
 * Conventions (docs/design.md §3): row vectors, `y = x W + b`. A HF Linear `weight` is stored `[out, in]`,
 * i.e. it holds `Wᵀ`; its ROWS are output features and its COLUMNS are input features.
 * Every function returns a new F32 tensor and never modifies its argument.
 * Permutations use ee-core's scatter convention: `perm[i]` is where element `i` moves to.
 */
import { type Permutation, permuteCols, type Tensor, validatePermutation } from "ee-core";

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
    throw new Error(
      `encrypt: permutation of length ${perm.length} does not fit axis ${axis} (size ${n}) of '${name}'`,
    );
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
  return f32Tensor(
    t.shape,
    axis === 0 ? scatterRows(src, rows, cols, perm) : permuteCols(src, rows, cols, perm),
  );
}

/**
 * Rows moved by `perm` with plain loops: `TypedArray.set(subarray)` per row measured ~15× slower
 * than this on Node 20 for 128,256 rows of 1,024.
 */
function scatterRows(src: Float32Array, rows: number, cols: number, perm: Permutation): Float32Array {
  validatePermutation(perm, rows, "scatterRows: perm");
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    const o = perm[r] * cols;
    for (let c = 0; c < cols; c++) out[o + c] = src[s + c];
  }
  return out;
}

/** Multiply index `i` of `axis` by `scale[i]`: `out[…, i, …] = scale[i] · t[…, i, …]`. */
export function scaleAxis(t: Tensor, axis: 0 | 1, scale: ArrayLike<number>, name: string): Tensor {
  const src = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  const n = axis === 0 ? rows : cols;
  if (scale.length !== n)
    throw new Error(`encrypt: ${scale.length} scales do not fit axis ${axis} (size ${n}) of '${name}'`);
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

function checkBlocks(
  blocks: Float64Array | Float32Array,
  numBlocks: number,
  size: number,
  name: string,
): void {
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
  if (rows % size !== 0)
    throw new Error(`encrypt: ${rows} outputs of '${name}' are not a multiple of block ${size}`);
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
 * With `blockPerm`, input block h is then moved to block `blockPerm[h]` (in the same pass).
 */
export function leftMultiplyInputBlocks(
  weight: Tensor,
  blocks: Float64Array | Float32Array,
  size: number,
  name: string,
  blockPerm?: Permutation,
): Tensor {
  const src = f32Data(weight, name);
  if (weight.shape.length !== 2) throw new Error(`encrypt: '${name}' must be a rank-2 weight`);
  const [rows, cols] = rowsCols(weight, name);
  if (cols % size !== 0)
    throw new Error(`encrypt: ${cols} inputs of '${name}' are not a multiple of block ${size}`);
  const numBlocks = cols / size;
  checkBlocks(blocks, numBlocks, size, name);
  if (blockPerm !== undefined) {
    checkPermLength(blockPerm, numBlocks, `${name} (blocks)`, 1);
    validatePermutation(blockPerm, numBlocks, `leftMultiplyInputBlocks '${name}' block permutation`);
  }
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let h = 0; h < numBlocks; h++) {
      const m = h * size * size;
      const off = base + h * size;
      const dst = base + (blockPerm === undefined ? h : blockPerm[h]) * size;
      // out[r, σ(h)·size + j] = Σ_k weight[r, h·size + k] · M_h[j][k]   (W_hᵀ M_hᵀ, block moved to σ(h))
      for (let j = 0; j < size; j++) {
        let s = 0;
        const mj = m + j * size;
        for (let k = 0; k < size; k++) s += src[off + k] * blocks[mj + k];
        out[dst + j] = s;
      }
    }
  }
  return f32Tensor(weight.shape, out);
}

/** A tensor of ones with `t`'s shape (an RMSNorm gain after folding). */
export function onesLike(t: Tensor): Tensor {
  const n = t.shape.reduce((a, b) => a * b, 1);
  return f32Tensor(t.shape, new Float32Array(n).fill(1));
}

// ---- in place, on arrays the caller owns ---------------------------------------------------------
// Fresh memory is expensive to touch on some hosts (measured here: first write of 512 MB ≈ 14 s,
// rewrite ≈ 0.2 s), so the large intermediate products are transformed where they lie.

/** In place: row `i` moves to row `perm[i]` (cycle by cycle, one row of scratch). Returns `t`. */
export function scatterRowsInPlace(t: Tensor, perm: Permutation, name: string): Tensor {
  const data = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  checkPermLength(perm, rows, name, 0);
  validatePermutation(perm, rows, `scatterRowsInPlace '${name}'`);
  const done = new Uint8Array(rows);
  const carry = new Float32Array(cols);
  for (let i = 0; i < rows; i++) {
    if (done[i]) continue;
    for (let c = 0; c < cols; c++) carry[c] = data[i * cols + c];
    let j = i;
    do {
      const k = perm[j]; // carry holds the old row j, which belongs at row k
      const o = k * cols;
      for (let c = 0; c < cols; c++) {
        const x = data[o + c];
        data[o + c] = carry[c];
        carry[c] = x;
      }
      done[k] = 1;
      j = k;
    } while (j !== i);
  }
  return t;
}

/** In place: row `i` multiplied by `scale[i]`. Returns `t`. */
export function scaleRowsInPlace(t: Tensor, scale: ArrayLike<number>, name: string): Tensor {
  const data = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  if (scale.length !== rows)
    throw new Error(`encrypt: ${scale.length} scales do not fit axis 0 (size ${rows}) of '${name}'`);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] *= scale[r];
  return t;
}

/** In place version of `rightMultiplyOutputBlocks` (one block of scratch). Returns `t`. */
export function rightMultiplyOutputBlocksInPlace(
  t: Tensor,
  blocks: Float64Array | Float32Array,
  size: number,
  name: string,
): Tensor {
  const data = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  if (rows % size !== 0)
    throw new Error(`encrypt: ${rows} outputs of '${name}' are not a multiple of block ${size}`);
  const numBlocks = rows / size;
  checkBlocks(blocks, numBlocks, size, name);
  const scratch = new Float64Array(size * cols);
  for (let h = 0; h < numBlocks; h++) {
    const m = h * size * size;
    const base = h * size * cols;
    scratch.fill(0);
    for (let r = 0; r < size; r++) {
      for (let k = 0; k < size; k++) {
        const coef = blocks[m + k * size + r];
        if (coef === 0) continue;
        const row = base + k * cols;
        const acc = r * cols;
        for (let c = 0; c < cols; c++) scratch[acc + c] += coef * data[row + c];
      }
    }
    for (let n = 0; n < size * cols; n++) data[base + n] = scratch[n];
  }
  return t;
}

/** One new tensor: column `c` scaled by `scale[c]` and moved to `perm[c]`. */
export function scaleThenScatterCols(
  t: Tensor,
  scale: ArrayLike<number>,
  perm: Permutation,
  name: string,
): Tensor {
  const src = f32Data(t, name);
  if (t.shape.length !== 2) throw new Error(`encrypt: '${name}' must be a rank-2 weight`);
  const [rows, cols] = rowsCols(t, name);
  checkPermLength(perm, cols, name, 1);
  validatePermutation(perm, cols, `scaleThenScatterCols '${name}'`);
  if (scale.length !== cols)
    throw new Error(`encrypt: ${scale.length} scales do not fit axis 1 (size ${cols}) of '${name}'`);
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    for (let c = 0; c < cols; c++) out[b + perm[c]] = src[b + c] * scale[c];
  }
  return f32Tensor(t.shape, out);
}

/** In place: column `c` moves to column `perm[c]` (one row of scratch). Returns `t`. */
export function scatterColsInPlace(t: Tensor, perm: Permutation, name: string): Tensor {
  const data = f32Data(t, name);
  if (t.shape.length !== 2) throw new Error(`encrypt: axis 1 of rank-1 tensor '${name}'`);
  const [rows, cols] = rowsCols(t, name);
  checkPermLength(perm, cols, name, 1);
  validatePermutation(perm, cols, `scatterColsInPlace '${name}'`);
  const row = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    const b = r * cols;
    for (let c = 0; c < cols; c++) row[c] = data[b + c];
    for (let c = 0; c < cols; c++) data[b + perm[c]] = row[c];
  }
  return t;
}

/** In place: column `c` multiplied by `scale[c]`. Returns `t`. */
export function scaleColsInPlace(t: Tensor, scale: ArrayLike<number>, name: string): Tensor {
  const data = f32Data(t, name);
  const [rows, cols] = rowsCols(t, name);
  if (scale.length !== cols)
    throw new Error(`encrypt: ${scale.length} scales do not fit axis 1 (size ${cols}) of '${name}'`);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] *= scale[c];
  return t;
}

/** A copy of `t` (F32) that the caller owns. */
export function ownedCopy(t: Tensor, name: string): Tensor {
  const src = f32Data(t, name);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  return f32Tensor(t.shape, out);
}

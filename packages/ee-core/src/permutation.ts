/**
 * Permutations of `0..n-1` (`perm[i] = π(i)`, the position element `i` moves to) and their action on
 * 1-D arrays and on the rows/columns of row-major Float32 matrices.
 *
 * Two directions, named consistently:
 * - scatter (`applyPermutation`, `permuteRows`, `permuteCols`): `out[perm[i]] = in[i]` — element i moves to π(i).
 * - gather (`gatherRows`, `gatherCols`): `out[i] = in[idx[i]]`.
 * Scatter by π equals gather by π⁻¹, so `gatherRows(permuteRows(m, π), π) = m`.
 */
import type { Permutation, RandomSource } from "./types.js";

/** The identity permutation of size `n`. */
export function identityPermutation(n: number): Permutation {
  checkSize(n, "identityPermutation");
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** A uniformly random permutation of `0..n-1` (Fisher–Yates with unbiased integers from `rng`). */
export function randomPermutation(n: number, rng: RandomSource): Permutation {
  const p = identityPermutation(n);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** The inverse: `inv[perm[i]] = i`. Validates `perm` first. */
export function invertPermutation(perm: Permutation): Permutation {
  validatePermutation(perm, perm.length, "invertPermutation");
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]] = i;
  return inv;
}

/**
 * Composition `c = a ∘ b`, `c[i] = a[b[i]]`: first move by `b`, then by `a`.
 * So `applyPermutation(x, composePermutations(a, b)) = applyPermutation(applyPermutation(x, b), a)`.
 */
export function composePermutations(a: Permutation, b: Permutation): Permutation {
  if (a.length !== b.length) {
    throw new Error(`composePermutations: lengths differ (a has ${a.length}, b has ${b.length})`);
  }
  validatePermutation(a, a.length, "composePermutations: a");
  validatePermutation(b, b.length, "composePermutations: b");
  const c = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) c[i] = a[b[i]];
  return c;
}

/**
 * Why `p[offset .. offset+n)` is not a permutation of `0..n-1`, or `undefined` when it is. Names
 * positions only, never values (values of a key are secret).
 */
export function permutationDefect(p: ArrayLike<number>, n: number, offset = 0): string | undefined {
  const seen = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = p[offset + i];
    if (!Number.isInteger(v) || v < 0 || v >= n) return `value at position ${i} is outside 0..${n - 1}`;
    const prev = seen[v];
    if (prev >= 0) return `value repeated at positions ${prev} and ${i}`;
    seen[v] = i;
  }
  return undefined;
}

/**
 * Throws unless `p` is a permutation of `0..n-1`, e.g.
 * `"<name>: not a permutation of 0..n-1: value repeated at positions 3 and 9"`.
 */
export function validatePermutation(p: ArrayLike<number>, n: number, name: string): void {
  if (p.length !== n)
    throw new Error(`${name}: not a permutation of 0..${n - 1}: length is ${p.length}, expected ${n}`);
  const defect = permutationDefect(p, n);
  if (defect !== undefined) throw new Error(`${name}: not a permutation of 0..${n - 1}: ${defect}`);
}

/** Scatter on a 1-D array: `out[perm[i]] = x[i]`. */
export function applyPermutation<T extends Float32Array | Float64Array | Int32Array>(
  x: T,
  perm: Permutation,
): T {
  validatePermutation(perm, x.length, "applyPermutation: perm");
  const out = new (x.constructor as { new (n: number): T })(x.length);
  for (let i = 0; i < x.length; i++) out[perm[i]] = x[i];
  return out;
}

/** Scatter rows of a row-major `rows × cols` matrix: output row `perm[i]` = input row `i`. */
export function permuteRows(m: Float32Array, rows: number, cols: number, perm: Permutation): Float32Array {
  checkMatrix(m, rows, cols, "permuteRows");
  validatePermutation(perm, rows, "permuteRows: perm");
  const out = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) out.set(m.subarray(i * cols, (i + 1) * cols), perm[i] * cols);
  return out;
}

/** Scatter columns of a row-major `rows × cols` matrix: output column `perm[j]` = input column `j`. */
export function permuteCols(m: Float32Array, rows: number, cols: number, perm: Permutation): Float32Array {
  checkMatrix(m, rows, cols, "permuteCols");
  validatePermutation(perm, cols, "permuteCols: perm");
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) out[base + perm[j]] = m[base + j];
  }
  return out;
}

/**
 * Gather rows: output row `i` = input row `idx[i]`. `idx` may select any rows (repeats allowed),
 * so the output has `idx.length` rows.
 */
export function gatherRows(
  m: Float32Array,
  rows: number,
  cols: number,
  idx: ArrayLike<number>,
): Float32Array {
  checkMatrix(m, rows, cols, "gatherRows");
  const out = new Float32Array(idx.length * cols);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (!Number.isInteger(r) || r < 0 || r >= rows)
      throw new Error(`gatherRows: idx position ${i} is outside 0..${rows - 1}`);
    out.set(m.subarray(r * cols, (r + 1) * cols), i * cols);
  }
  return out;
}

/** Gather columns: output column `j` = input column `idx[j]`; the output has `idx.length` columns. */
export function gatherCols(
  m: Float32Array,
  rows: number,
  cols: number,
  idx: ArrayLike<number>,
): Float32Array {
  checkMatrix(m, rows, cols, "gatherCols");
  const k = idx.length;
  for (let j = 0; j < k; j++) {
    const c = idx[j];
    if (!Number.isInteger(c) || c < 0 || c >= cols)
      throw new Error(`gatherCols: idx position ${j} is outside 0..${cols - 1}`);
  }
  const out = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = r * k;
    for (let j = 0; j < k; j++) out[dst + j] = m[src + idx[j]];
  }
  return out;
}

function checkSize(n: number, fn: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${fn}: n must be a non-negative integer, got ${n}`);
}

function checkMatrix(m: Float32Array, rows: number, cols: number, fn: string): void {
  checkSize(rows, `${fn}: rows`);
  checkSize(cols, `${fn}: cols`);
  if (m.length !== rows * cols) {
    throw new Error(
      `${fn}: matrix has ${m.length} elements, expected rows × cols = ${rows} × ${cols} = ${rows * cols}`,
    );
  }
}

/**
 * The project's own tensor type: what crosses the engine seam. Row-major data with its dims, no
 * runtime's classes. Engines convert at their edge; nothing above an engine sees a runtime tensor.
 */

/** Element types a tensor at the seam may hold. */
export type TensorData = Float32Array | Int32Array | BigInt64Array;

/** A dense, row-major tensor. */
export interface Tensor<D extends TensorData = TensorData> {
  /** The elements, row-major; length = product of `dims`. */
  readonly data: D;
  /** Shape, outermost first (elements per axis). */
  readonly dims: readonly number[];
}

/** Number of elements a shape holds (elements). */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`tensor: bad dimension ${d} in [${dims.join(", ")}]`);
    n *= d;
  }
  return n;
}

/** A tensor over `data` with `dims`; throws when the sizes disagree. */
export function tensor<D extends TensorData>(data: D, dims: readonly number[]): Tensor<D> {
  const n = numel(dims);
  if (data.length !== n)
    throw new Error(`tensor: ${data.length} elements do not fill shape [${dims.join(", ")}] (${n})`);
  return { data, dims: [...dims] };
}

/** Row `i` of a 2-D tensor `[R, C]` (a view, no copy). */
export function row<D extends TensorData>(t: Tensor<D>, i: number): D {
  if (t.dims.length !== 2) throw new Error(`tensor.row: expected 2 dims, got [${t.dims.join(", ")}]`);
  const [R, C] = t.dims as [number, number];
  if (!Number.isInteger(i) || i < 0 || i >= R) throw new Error(`tensor.row: row ${i} outside [0, ${R})`);
  return t.data.subarray(i * C, (i + 1) * C) as D;
}

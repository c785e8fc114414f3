/**
 * Typed access to the components of an `EEKey`: each accessor checks the component's kind and shape
 * and names the component when it does not fit (never its values: they are secret).
 */
import type { EEKey, KeyComponent, KeyComponentKind, Permutation } from "ee-core";

function component(key: EEKey, name: string, kind: KeyComponentKind, shape: number[]): KeyComponent {
  const c = key.components.get(name);
  if (c === undefined) {
    throw new Error(`key (${key.architecture}/${key.scheme}) has no component '${name}'`);
  }
  if (c.kind !== kind) throw new Error(`key component '${name}' has kind '${c.kind}', expected '${kind}'`);
  const got = c.tensor.shape;
  if (got.length !== shape.length || got.some((n, i) => n !== shape[i])) {
    throw new Error(`key component '${name}' has shape [${got.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return c;
}

/** True when the key holds a component of that name. */
export function hasComponent(key: EEKey, name: string): boolean {
  return key.components.has(name);
}

/** A permutation component of exactly `shape` (`[n]`, or `[g, n]` for one permutation per row). */
export function keyPermutation(key: EEKey, name: string, shape: number[]): Permutation {
  const c = component(key, name, "permutation", shape);
  if (!(c.tensor.data instanceof Int32Array)) throw new Error(`key component '${name}' must hold int32 data`);
  return c.tensor.data;
}

/** The values of a float component (`scales`, `signs`, `orthogonal`, `invertible`) widened to float64. */
export function keyFloats(key: EEKey, name: string, kind: KeyComponentKind, shape: number[]): Float64Array {
  const c = component(key, name, kind, shape);
  const d = c.tensor.data;
  if (!(d instanceof Float64Array || d instanceof Float32Array)) {
    throw new Error(`key component '${name}' must hold float data`);
  }
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

/** Blocks `M_h` and their inverses of an `invertible` component of shape `[numBlocks, size, size]`. */
export function keyInvertibleBlocks(
  key: EEKey,
  name: string,
  numBlocks: number,
  size: number,
): { matrix: Float64Array; inverse: Float64Array } {
  const shape = [numBlocks, size, size];
  const matrix = keyFloats(key, name, "invertible", shape);
  const inv = key.components.get(name)?.inverse;
  if (inv === undefined) throw new Error(`key component '${name}' has no inverse`);
  const d = inv.data;
  if (!(d instanceof Float64Array || d instanceof Float32Array) || d.length !== matrix.length) {
    throw new Error(`key component '${name}' must have an inverse of ${matrix.length} float values`);
  }
  return { matrix, inverse: d instanceof Float64Array ? d : Float64Array.from(d) };
}

/** Each `size × size` block transposed (`[numBlocks, size, size]`, row-major). */
export function transposeBlocks(blocks: Float64Array, size: number): Float64Array {
  const out = new Float64Array(blocks.length);
  const n = size * size;
  for (let b = 0; b < blocks.length / n; b++) {
    const o = b * n;
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) out[o + j * size + i] = blocks[o + i * size + j];
  }
  return out;
}

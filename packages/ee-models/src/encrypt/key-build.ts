/**
 * Building an `EEKey` for an encrypter: metadata that holds no secret, and typed components.
 */
import {
  addComponent,
  createKey,
  type EEKey,
  type KeyComponentKind,
  type Permutation,
  type RandomSource,
  randomInvertible,
} from "ee-core";
import type { ModelConfig } from "../types.js";
import { ROW_NOISE_META } from "./row-noise.js";
import type { Scheme } from "./schemes.js";

/** An empty key for `cfg` under `scheme`; meta holds only public sizes. */
export function newKey(cfg: ModelConfig, scheme: Scheme, rng: RandomSource): EEKey {
  return createKey({
    scheme: scheme.name,
    architecture: cfg.modelType,
    reproducible: rng.reproducible,
    meta: {
      vocabSize: String(cfg.vocabSize),
      hiddenSize: String(cfg.hiddenSize),
      numLayers: String(cfg.numLayers),
      ...(scheme.rowNoise > 0 ? { [ROW_NOISE_META]: String(scheme.rowNoise) } : {}),
    },
  });
}

/** Add a permutation (validated by ee-core) (`[n]`, or `[g, n]` when `rows` is given). */
export function addPermutation(key: EEKey, name: string, perm: Permutation, rows?: number): void {
  const shape = rows === undefined ? [perm.length] : [rows, perm.length / rows];
  addComponent(key, name, "permutation", { dtype: "I32", shape, data: perm });
}

/** Add a float component (`scales`, `signs`, `orthogonal`) of the given shape. */
export function addFloatComponent(
  key: EEKey,
  name: string,
  kind: KeyComponentKind,
  shape: number[],
  data: Float32Array | Float64Array,
): void {
  const dtype = data instanceof Float64Array ? "F64" : "F32";
  addComponent(key, name, kind, { dtype, shape, data });
}

/**
 * Add `numBlocks` random invertible `size × size` blocks `A_h = Q_h diag(s_h)` (scales in [0.5, 2]),
 * `[numBlocks, size, size]` float64, and their exact inverses (the component's `inverse`).
 */
export function addInvertibleBlocks(
  key: EEKey,
  name: string,
  numBlocks: number,
  size: number,
  rng: RandomSource,
): void {
  const matrix = new Float64Array(numBlocks * size * size);
  const inverse = new Float64Array(numBlocks * size * size);
  for (let h = 0; h < numBlocks; h++) {
    const pair = randomInvertible(size, rng.derive(String(h)));
    matrix.set(pair.matrix, h * size * size);
    inverse.set(pair.inverse, h * size * size);
  }
  const shape = [numBlocks, size, size];
  addComponent(
    key,
    name,
    "invertible",
    { dtype: "F64", shape, data: matrix },
    { dtype: "F64", shape, data: inverse },
  );
}

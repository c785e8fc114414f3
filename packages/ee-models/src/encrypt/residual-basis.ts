/**
 * The Llama residual basis Q (docs/design.md §4.3) and its products with weights. Two forms, chosen by
 * the scheme (`Scheme.residualBasis`) and recognised from the key's components:
 * - `haar`: one Haar-random orthogonal `d × d` matrix (component `hidden.Q`); a product with an
 *   `[n, d]` weight costs `n · d · d` multiply-adds;
 * - `kronecker`: `Q = A ⊗ B`, `A [a, a]` and `B [b, b]` each Haar-random orthogonal, `a · b = d`
 *   (components `hidden.Q.outer`, `hidden.Q.inner`). Q is orthogonal, so every transform that uses it
 *   stays exact; a product costs `n · d · (a + b)` multiply-adds — at d = 4096 (a = b = 64) 32× fewer.
 *   The price is a smaller secret (a² + b² numbers instead of d²); the weights attacks of ee-attacks
 *   recover a dense Q anyway, so no measured attack gains from the structure.
 * Index convention: feature `i = i₁ · b + i₂` (A acts on i₁, B on i₂), i.e. `Q[i, j] = A[i₁, j₁] B[i₂, j₂]`.
 */
import { type EEKey, haarOrthogonal, type RandomSource, toFloat32, transpose } from "ee-core";
import { addFloatComponent } from "./key-build.js";
import { hasComponent, keyFloats } from "./key-parts.js";
import { leftMultiplyBlocks, matmul } from "./matmul.js";
import type { ResidualBasisKind } from "./schemes.js";

/** Key component names of the residual basis. */
export const RESIDUAL_KEY = {
  /** Dense Q `[d, d]` (orthogonal), form `haar`. */
  dense: "hidden.Q",
  /** Outer factor A `[a, a]` (orthogonal), form `kronecker`. */
  outer: "hidden.Q.outer",
  /** Inner factor B `[b, b]` (orthogonal), form `kronecker`. */
  inner: "hidden.Q.inner",
} as const;

/** Products of the residual basis with weights (row-major float32; every result is a new array). */
export interface ResidualBasis {
  /** Which form the key holds. */
  readonly kind: ResidualBasisKind;
  /** `W Q` for `W [rows, d]` (embedding rows). */
  right(w: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * `W diag(g) Q` for `W [rows, d]`: a reader with its RMSNorm gain g folded in (HF layout `[out, in]`).
   * `gainName` names g (the dense form keeps `diag(g) Q` for the last gain it saw); with `mayOverwrite`
   * the Kronecker form scales `w` in place instead of copying it (the caller gives the array up).
   */
  rightScaled(
    w: Float32Array,
    rows: number,
    gainName: string,
    gain: Float64Array,
    mayOverwrite?: boolean,
  ): Promise<Float32Array>;
  /** `Qᵀ W` for `W [d, cols]`: a writer in HF layout (`[out, in]` holds the transposed weight). */
  leftTransposed(w: Float32Array, cols: number): Promise<Float32Array>;
}

/** Factor sizes `[a, b]` of a Kronecker basis for width d: `a · b = d`, a the largest divisor of d with a ≤ √d. */
export function kroneckerFactorSizes(d: number): [number, number] {
  if (!Number.isInteger(d) || d < 1)
    throw new Error(`kroneckerFactorSizes: width must be a positive integer, got ${d}`);
  let a = Math.floor(Math.sqrt(d));
  while (d % a !== 0) a--;
  return [a, d / a];
}

/** Draw the residual basis of `kind` for width d into `key` (each factor from its own derived stream). */
export function addResidualBasis(key: EEKey, kind: ResidualBasisKind, d: number, rng: RandomSource): void {
  if (kind === "haar") {
    addFloatComponent(
      key,
      RESIDUAL_KEY.dense,
      "orthogonal",
      [d, d],
      haarOrthogonal(d, rng.derive(RESIDUAL_KEY.dense)),
    );
    return;
  }
  const [a, b] = kroneckerFactorSizes(d);
  addFloatComponent(
    key,
    RESIDUAL_KEY.outer,
    "orthogonal",
    [a, a],
    haarOrthogonal(a, rng.derive(RESIDUAL_KEY.outer)),
  );
  addFloatComponent(
    key,
    RESIDUAL_KEY.inner,
    "orthogonal",
    [b, b],
    haarOrthogonal(b, rng.derive(RESIDUAL_KEY.inner)),
  );
}

/** The dense Q `[d, d]` (float64) of a key of either form: `A ⊗ B` for a Kronecker key. */
export function denseResidualBasis(key: EEKey, d: number): Float64Array {
  if (!hasComponent(key, RESIDUAL_KEY.outer)) return keyFloats(key, RESIDUAL_KEY.dense, "orthogonal", [d, d]);
  const [a, b] = kroneckerFactorSizes(d);
  const A = keyFloats(key, RESIDUAL_KEY.outer, "orthogonal", [a, a]);
  const B = keyFloats(key, RESIDUAL_KEY.inner, "orthogonal", [b, b]);
  const q = new Float64Array(d * d);
  for (let i1 = 0; i1 < a; i1++)
    for (let i2 = 0; i2 < b; i2++)
      for (let j1 = 0; j1 < a; j1++) {
        const aij = A[i1 * a + j1];
        const row = (i1 * b + i2) * d + j1 * b;
        for (let j2 = 0; j2 < b; j2++) q[row + j2] = aij * B[i2 * b + j2];
      }
  return q;
}

/** `W diag(g)` for `W [rows, d]`: into `w` itself when `inPlace`, else a new array. */
function scaleColumns(
  w: Float32Array,
  rows: number,
  d: number,
  g: Float64Array,
  inPlace: boolean,
): Float32Array {
  const out = inPlace ? w : new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    for (let j = 0; j < d; j++) out[o + j] = w[o + j] * g[j];
  }
  return out;
}

function denseBasis(Q: Float64Array, d: number): ResidualBasis {
  const q32 = toFloat32(Q);
  const qT32 = toFloat32(transpose(Q, d, d));
  let folded: { name: string; m: Float32Array } | null = null; // diag(g) Q for the last gain
  return {
    kind: "haar",
    right: (w, rows) => matmul(w, q32, rows, d, d),
    rightScaled: (w, rows, gainName, g) => {
      if (folded?.name !== gainName) {
        const m = new Float32Array(d * d);
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m[i * d + j] = g[i] * Q[i * d + j];
        folded = { name: gainName, m };
      }
      return matmul(w, folded.m, rows, d, d);
    },
    leftTransposed: (w, cols) => matmul(qT32, w, d, d, cols),
  };
}

function kroneckerBasis(A: Float64Array, B: Float64Array, a: number, b: number): ResidualBasis {
  const d = a * b;
  const b32 = toFloat32(B);
  const aT32 = toFloat32(transpose(A, a, a));
  const bT32 = toFloat32(transpose(B, b, b));
  // W (A ⊗ B): each row viewed as [a, b] becomes Aᵀ (W_r B).
  const right = async (w: Float32Array, rows: number) => {
    const x = await matmul(w, b32, rows * a, b, b); // [rows·a, b] = W_r B per row
    return leftMultiplyBlocks(aT32, x, rows, a, b); // [rows, a, b]
  };
  return {
    kind: "kronecker",
    right,
    rightScaled: (w, rows, _gainName, g, mayOverwrite = false) =>
      right(scaleColumns(w, rows, d, g, mayOverwrite), rows),
    // (A ⊗ B)ᵀ W: W viewed as [a, b, cols]; contract A over the outer index, then Bᵀ per outer slice.
    leftTransposed: async (w, cols) => {
      const z = await matmul(aT32, w, a, a, b * cols); // [a, b·cols]
      return leftMultiplyBlocks(bT32, z, a, b, cols); // [a, b, cols]
    },
  };
}

/** The residual basis `key` holds for width d (either form), or an Error naming the missing component. */
export function residualBasis(key: EEKey, d: number): ResidualBasis {
  if (hasComponent(key, RESIDUAL_KEY.outer) || hasComponent(key, RESIDUAL_KEY.inner)) {
    const [a, b] = kroneckerFactorSizes(d);
    return kroneckerBasis(
      keyFloats(key, RESIDUAL_KEY.outer, "orthogonal", [a, a]),
      keyFloats(key, RESIDUAL_KEY.inner, "orthogonal", [b, b]),
      a,
      b,
    );
  }
  return denseBasis(keyFloats(key, RESIDUAL_KEY.dense, "orthogonal", [d, d]), d);
}

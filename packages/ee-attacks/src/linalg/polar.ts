/**
 * Orthogonal polar factor of a square matrix by the Newton–Schulz iteration: for `M = U Σ Vᵀ`
 * (nonsingular) it returns `U Vᵀ`, the orthogonal matrix nearest to `M` in Frobenius norm.
 *
 *   X₀ = M / (1.01 · σ̂_max)          (σ̂_max from power iteration on MᵀM, so every σ(X₀) < 1 < √3)
 *   X_{k+1} = X_k (3 I − X_kᵀ X_k) / 2
 *
 * Each step maps every singular value s ↦ s(3 − s²)/2, which drives all of them to 1 (quadratically
 * near 1; small ones grow by ×1.5 per step). Float64, row-major `d × d`.
 */
import { transpose } from "ee-core";
import type { PolarOptions, PolarResult } from "../types.js";
import { matmul4 } from "./matmul4.js";

/** The orthogonal polar factor of `m` (`d × d`). Throws when `m` is (numerically) singular. */
export function polarOrthogonal(m: ArrayLike<number>, d: number, opts: PolarOptions = {}): PolarResult {
  if (!Number.isSafeInteger(d) || d < 1)
    throw new Error(`polarOrthogonal: d must be a positive integer, got ${d}`);
  if (m.length !== d * d) throw new Error(`polarOrthogonal: m has ${m.length} elements, expected ${d * d}`);
  const tol = opts.tolerance ?? 1e-12;
  const maxIter = opts.maxIterations ?? 200;
  const sigmaMax = Math.sqrt(largestEigenvalueOfGram(m, d));
  if (!(sigmaMax > 0) || !Number.isFinite(sigmaMax))
    throw new Error("polarOrthogonal: m is zero or not finite");
  let x: Float64Array = Float64Array.from(m, (v) => v / (1.01 * sigmaMax));
  let err = Number.POSITIVE_INFINITY;
  let it = 0;
  for (; it < maxIter; it++) {
    const g = matmul4(transpose(x, d, d), x, d, d, d); // XᵀX
    err = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const e = Math.abs(g[i * d + j] - (i === j ? 1 : 0));
        if (e > err) err = e;
      }
    }
    if (err < tol) break;
    // (3I − G)/2
    for (let i = 0; i < d * d; i++) g[i] = -0.5 * g[i];
    for (let i = 0; i < d; i++) g[i * d + i] += 1.5;
    x = matmul4(x, g, d, d, d);
  }
  if (!(err < Math.max(tol, 1e-6))) {
    throw new Error(
      `polarOrthogonal: no convergence after ${it} steps (max |XᵀX − I| = ${err.toExponential(2)}); m is singular or ill-conditioned — need at least d well-spread anchor pairs`,
    );
  }
  return { q: x, iterations: it, orthogonalityError: err };
}

/** λ_max(MᵀM) by 60 power-iteration steps (enough for a 1 % scale estimate). */
function largestEigenvalueOfGram(m: ArrayLike<number>, d: number): number {
  let v: Float64Array = new Float64Array(d).fill(1 / Math.sqrt(d));
  let lambda = 0;
  for (let it = 0; it < 60; it++) {
    const mv = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m[i * d + j] * v[j];
      mv[i] = s;
    }
    const w = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      const s = mv[i];
      for (let j = 0; j < d; j++) w[j] += m[i * d + j] * s;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += w[j] * w[j];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    lambda = norm;
    v = w.map((x) => x / norm);
  }
  return lambda;
}

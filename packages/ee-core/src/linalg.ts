/**
 * Dense float64 linear algebra on row-major matrices with explicit dimensions, sized for the key
 * material of Equivariant Encryption (per-head blocks up to the hidden size, d ≤ ~8192).
 */
import type { HaarOptions, InvertiblePair, RandomInvertibleOptions, RandomSource } from "./types.js";

function checkDim(d: number, fn: string, what = "d"): void {
  if (!Number.isSafeInteger(d) || d < 0)
    throw new Error(`${fn}: ${what} must be a non-negative integer, got ${d}`);
}

function checkLen(a: ArrayLike<number>, n: number, fn: string, what: string): void {
  if (a.length !== n) throw new Error(`${fn}: ${what} has ${a.length} elements, expected ${n}`);
}

/** `C = A B` for row-major `A (m × k)`, `B (k × n)`; returns `C (m × n)`. */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  checkDim(m, "matmul", "m");
  checkDim(k, "matmul", "k");
  checkDim(n, "matmul", "n");
  checkLen(a, m * k, "matmul", "a");
  checkLen(b, k * n, "matmul", "b");
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
  return c;
}

/** Transpose of a row-major `rows × cols` matrix (returns `cols × rows`). */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  checkDim(rows, "transpose", "rows");
  checkDim(cols, "transpose", "cols");
  checkLen(a, rows * cols, "transpose", "a");
  const t = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * rows + i] = a[i * cols + j];
    }
  }
  return t;
}

/** The `d × d` identity. */
export function identity(d: number): Float64Array {
  checkDim(d, "identity");
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = 1;
  return m;
}

/** Panel width of the blocked Householder loops (reflections applied per pass over a column). */
const HAAR_BLOCK = 16;

/**
 * A Haar-distributed (uniform) random orthogonal `d × d` matrix: Householder QR of a matrix of
 * i.i.d. standard normals, then `Q ← Q · diag(sign(diag R))` (Mezzadri 2007), without which the law
 * is not Haar.
 *
 * Layout for speed: the Gaussian matrix is held column-major (column j contiguous) so that every
 * reflector application is a contiguous dot product and axpy per column; Q is accumulated backwards
 * (H₀(H₁(…(H_{d−1} I)))) touching only the trailing block, likewise column-major, and transposed once
 * at the end. Cost ≈ (8/3)·d³ flops.
 */
export function haarOrthogonal(d: number, rng: RandomSource, opts: HaarOptions = {}): Float64Array {
  checkDim(d, "haarOrthogonal");
  const algorithm = opts.algorithm ?? "qr";
  if (algorithm !== "qr" && algorithm !== "stewart") {
    throw new Error(`haarOrthogonal: algorithm must be "qr" or "stewart", got ${JSON.stringify(algorithm)}`);
  }
  if (d === 0) return new Float64Array(0);
  // a[j*d + i] = A[i][j]: column-major Gaussian matrix. Entries are i.i.d., so the order drawn is immaterial.
  const a = rng.fillGaussian(new Float64Array(d * d));
  const signs = new Float64Array(d);
  const nb = HAAR_BLOCK;
  // Householder vectors v_k (unit norm, supported on rows k..d-1) are stored in place in column k.
  // Blocked by panels of `nb` columns: the panel is factored column by column, then each trailing
  // column receives the panel's nb reflections in order while it sits in L1 cache (the same
  // reflections in the same order as the unblocked algorithm; only summation order differs).
  // "stewart" skips every trailing update: column k's rows k..d−1 stay untouched i.i.d. Gaussians.
  const update = algorithm === "qr";
  for (let k0 = 0; k0 < d; k0 += nb) {
    const k1 = Math.min(d, k0 + nb);
    for (let k = k0; k < k1; k++) {
      const ck = k * d;
      let norm2 = 0;
      for (let i = k; i < d; i++) norm2 += a[ck + i] * a[ck + i];
      const norm = Math.sqrt(norm2);
      const x0 = a[ck + k];
      // R_kk = alpha = −sign(x0)·‖x‖ (the sign choice that avoids cancellation in v0 = x0 − alpha)
      const alpha = x0 >= 0 ? -norm : norm;
      signs[k] = alpha < 0 ? -1 : 1;
      const v0 = x0 - alpha;
      const vnorm2 = norm2 - x0 * x0 + v0 * v0;
      if (vnorm2 === 0) {
        // column already zero from the diagonal down: H_k = I (probability zero for Gaussian input)
        for (let i = k; i < d; i++) a[ck + i] = 0;
        signs[k] = 1;
        continue;
      }
      const inv = 1 / Math.sqrt(vnorm2);
      a[ck + k] = v0 * inv;
      for (let i = k + 1; i < d; i++) a[ck + i] *= inv;
      // H_k = I − 2 v vᵀ on the rest of the panel
      if (update) for (let j = k + 1; j < k1; j++) reflect(a, ck, a, j * d, k, d);
    }
    if (!update) continue;
    let j = k1;
    for (; j + 3 < d; j += 4) {
      const cj = j * d;
      for (let k = k0; k < k1; k++) reflect4(a, k * d, a, cj, d, k);
    }
    for (; j < d; j++) {
      const cj = j * d;
      for (let k = k0; k < k1; k++) reflect(a, k * d, a, cj, k, d);
    }
  }
  // Q = H_0 H_1 … H_{d−1}, built backwards: M ← H_k M for k = d−1 … 0; q is column-major
  // (q[j*d + i] = Q[i][j]). Before H_k is applied, columns j < k of M are still e_j (zero from row k
  // down), so H_k only needs columns j ≥ k. Blocked like the factorization.
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let k1 = d; k1 > 0; k1 -= nb) {
    const k0 = Math.max(0, k1 - nb);
    let j = k0;
    for (; j < Math.min(d, k1 - 1); j++) {
      const cj = j * d;
      for (let k = j; k >= k0; k--) reflect(a, k * d, q, cj, k, d);
    }
    for (; j + 3 < d; j += 4) {
      const cj = j * d;
      for (let k = k1 - 1; k >= k0; k--) reflect4(a, k * d, q, cj, d, k);
    }
    for (; j < d; j++) {
      const cj = j * d;
      for (let k = k1 - 1; k >= k0; k--) reflect(a, k * d, q, cj, k, d);
    }
  }
  // sign fix: column k of Q times sign(R_kk); column k is contiguous here
  for (let k = 0; k < d; k++) {
    if (signs[k] < 0) {
      const ck = k * d;
      for (let i = 0; i < d; i++) q[ck + i] = -q[ck + i];
    }
  }
  return transpose(q, d, d);
}

/**
 * `y[yo+k..yo+d) −= 2 (v·y) v` with `v = va[vo+k..vo+d)` — one Householder reflection of one
 * contiguous column. Unrolled with four accumulators.
 */
function reflect(va: Float64Array, vo: number, y: Float64Array, yo: number, k: number, d: number): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = k;
  const end4 = d - ((d - k) & 3);
  for (; i < end4; i += 4) {
    s0 += va[vo + i] * y[yo + i];
    s1 += va[vo + i + 1] * y[yo + i + 1];
    s2 += va[vo + i + 2] * y[yo + i + 2];
    s3 += va[vo + i + 3] * y[yo + i + 3];
  }
  for (; i < d; i++) s0 += va[vo + i] * y[yo + i];
  const t = 2 * (s0 + s1 + s2 + s3);
  if (t === 0) return;
  for (i = k; i < d; i++) y[yo + i] -= t * va[vo + i];
}

/**
 * `reflect` on four consecutive columns (y[yo..], y[yo+d..], y[yo+2d..], y[yo+3d..]) at once, so each
 * element of `v` is loaded once for four columns.
 */
function reflect4(va: Float64Array, vo: number, y: Float64Array, yo: number, d: number, k: number): void {
  const o1 = yo + d;
  const o2 = o1 + d;
  const o3 = o2 + d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = k; i < d; i++) {
    const v = va[vo + i];
    s0 += v * y[yo + i];
    s1 += v * y[o1 + i];
    s2 += v * y[o2 + i];
    s3 += v * y[o3 + i];
  }
  s0 *= 2;
  s1 *= 2;
  s2 *= 2;
  s3 *= 2;
  for (let i = k; i < d; i++) {
    const v = va[vo + i];
    y[yo + i] -= s0 * v;
    y[o1 + i] -= s1 * v;
    y[o2 + i] -= s2 * v;
    y[o3 + i] -= s3 * v;
  }
}

/**
 * A well-conditioned random invertible `d × d` matrix `A = Q · diag(s)` with `Q` Haar orthogonal and
 * scales `s` log-uniform in `[minScale, maxScale]`; returns `A` and its exact inverse `diag(1/s) · Qᵀ`.
 * Condition number ≤ maxScale / minScale.
 */
export function randomInvertible(
  d: number,
  rng: RandomSource,
  opts: RandomInvertibleOptions = {},
): InvertiblePair {
  const minScale = opts.minScale ?? 0.5;
  const maxScale = opts.maxScale ?? 2;
  if (!(Number.isFinite(minScale) && minScale > 0 && Number.isFinite(maxScale) && maxScale >= minScale)) {
    throw new Error(
      `randomInvertible: need 0 < minScale <= maxScale (finite), got minScale=${minScale}, maxScale=${maxScale}`,
    );
  }
  const q = haarOrthogonal(d, rng);
  const scales = new Float64Array(d);
  const lo = Math.log(minScale);
  const hi = Math.log(maxScale);
  for (let j = 0; j < d; j++) scales[j] = Math.exp(lo + (hi - lo) * rng.float());
  const matrix = new Float64Array(d * d);
  const inverse = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      matrix[i * d + j] = q[i * d + j] * scales[j];
      inverse[j * d + i] = q[i * d + j] / scales[j];
    }
  }
  return { matrix, inverse, scales };
}

/** The 2×2 rotation `[[cos θ, −sin θ], [sin θ, cos θ]]` (row-major; θ in radians). */
export function rotation2x2(thetaRad: number): Float64Array {
  if (!Number.isFinite(thetaRad)) throw new Error(`rotation2x2: theta must be finite, got ${thetaRad}`);
  const c = Math.cos(thetaRad);
  const s = Math.sin(thetaRad);
  return Float64Array.of(c, -s, s, c);
}

/**
 * Block-diagonal matrix from square row-major blocks (each block's size is the square root of its
 * length); returns the `D × D` matrix, `D = Σ sizes`.
 */
export function blockDiagonal(blocks: readonly ArrayLike<number>[]): Float64Array {
  const sizes = blocks.map((b, i) => {
    const s = Math.round(Math.sqrt(b.length));
    if (s * s !== b.length)
      throw new Error(`blockDiagonal: block ${i} has ${b.length} elements, not a square`);
    return s;
  });
  const D = sizes.reduce((x, y) => x + y, 0);
  const out = new Float64Array(D * D);
  let o = 0;
  blocks.forEach((b, bi) => {
    const s = sizes[bi];
    for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) out[(o + i) * D + o + j] = b[i * s + j];
    o += s;
  });
  return out;
}

/**
 * Inverse of a row-major `d × d` matrix by LU with partial pivoting. Throws when a pivot is zero or
 * below `d · ε · max|A|` (numerically singular).
 */
export function invert(m: ArrayLike<number>, d: number): Float64Array {
  checkDim(d, "invert");
  checkLen(m, d * d, "invert", "matrix");
  const a = Float64Array.from(m);
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`invert: matrix entry at position ${i} is not finite`);
    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
  }
  const tol = d * Number.EPSILON * maxAbs;
  const piv = new Int32Array(d);
  for (let i = 0; i < d; i++) piv[i] = i;
  for (let k = 0; k < d; k++) {
    let p = k;
    let best = Math.abs(a[k * d + k]);
    for (let i = k + 1; i < d; i++) {
      const v = Math.abs(a[i * d + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (best <= tol || best === 0)
      throw new Error(`invert: matrix is singular (no usable pivot in column ${k})`);
    if (p !== k) {
      for (let j = 0; j < d; j++) {
        const t = a[k * d + j];
        a[k * d + j] = a[p * d + j];
        a[p * d + j] = t;
      }
      const t = piv[k];
      piv[k] = piv[p];
      piv[p] = t;
    }
    const inv = 1 / a[k * d + k];
    for (let i = k + 1; i < d; i++) {
      const f = (a[i * d + k] *= inv);
      if (f === 0) continue;
      for (let j = k + 1; j < d; j++) a[i * d + j] -= f * a[k * d + j];
    }
  }
  // solve L U X = P I column block by row operations: X rows
  const x = new Float64Array(d * d);
  for (let i = 0; i < d; i++) x[i * d + piv[i]] = 1;
  // forward: L y = b (unit lower)
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) {
      const f = a[i * d + k];
      if (f === 0) continue;
      for (let j = 0; j < d; j++) x[i * d + j] -= f * x[k * d + j];
    }
  }
  // backward: U x = y
  for (let i = d - 1; i >= 0; i--) {
    for (let k = i + 1; k < d; k++) {
      const f = a[i * d + k];
      if (f === 0) continue;
      for (let j = 0; j < d; j++) x[i * d + j] -= f * x[k * d + j];
    }
    const inv = 1 / a[i * d + i];
    for (let j = 0; j < d; j++) x[i * d + j] *= inv;
  }
  return x;
}

/**
 * `max |QᵀQ − I|` over all entries, computed in float64 from the given values (float32 input is
 * widened exactly). Cost d³ multiply-adds (symmetry halves it).
 */
export function orthogonalityError(q: ArrayLike<number>, d: number): number {
  checkDim(d, "orthogonalityError");
  checkLen(q, d * d, "orthogonalityError", "q");
  // columns of Q as contiguous rows of Qᵀ; Gram entries computed 2 × 2 at a time (upper triangle)
  const t = transpose(q, d, d);
  let worst = 0;
  const note = (v: number, diag: boolean): void => {
    const e = Math.abs(v - (diag ? 1 : 0));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  };
  for (let i = 0; i < d; i += 2) {
    const i2 = i + 1 < d;
    const oi = i * d;
    const oi1 = i2 ? oi + d : oi;
    for (let j = i; j < d; j += 2) {
      const j2 = j + 1 < d;
      const oj = j * d;
      const oj1 = j2 ? oj + d : oj;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let k = 0; k < d; k++) {
        const a0 = t[oi + k];
        const a1 = t[oi1 + k];
        const b0 = t[oj + k];
        const b1 = t[oj1 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      note(s00, i === j);
      if (j2) note(s01, i === j + 1);
      if (i2) note(s10, i + 1 === j); // for j = i this repeats (i, i + 1); harmless
      if (i2 && j2) note(s11, i + 1 === j + 1);
    }
  }
  return worst;
}

/** `max |A B − I|` for row-major `d × d` matrices (checks that `B` inverts `A`). */
export function inverseError(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  const p = matmul(a, b, d, d, d);
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const e = Math.abs(p[i * d + j] - (i === j ? 1 : 0));
      if (Number.isNaN(e)) return Number.POSITIVE_INFINITY;
      if (e > worst) worst = e;
    }
  }
  return worst;
}

/** Round to float32 (a new Float32Array). */
export function toFloat32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

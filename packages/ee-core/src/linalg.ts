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

/** Reflections per block in the compact-WY loops (the kernels below are written for 4). */
const WY = 4;

/**
 * A Haar-distributed (uniform) random orthogonal `d × d` matrix: Householder QR of a matrix of
 * i.i.d. standard normals, then `Q ← Q · diag(sign(diag R))` (Mezzadri 2007), without which the law
 * is not Haar. `opts.algorithm = "stewart"` gives the same law at about half the cost (see `HaarOptions`).
 *
 * Layout for speed: the Gaussian matrix is held column-major (column j contiguous). Reflections are
 * grouped by 4 in compact-WY form, `H_k0 ⋯ H_k0+3 = I − V T Vᵀ` (Schreiber–Van Loan), so one pass
 * over a column applies four reflections; two columns are processed together. Q is accumulated
 * backwards (`H₀(H₁(…(H_{d−1} I)))`), touching only the trailing block, likewise column-major, and
 * transposed once at the end. Cost ≈ (8/3)·d³ flops ("qr") or (4/3)·d³ ("stewart").
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
  // "stewart" skips every trailing update: column k's rows k..d−1 stay untouched i.i.d. Gaussians,
  // which is the law they would have after the k earlier reflections.
  const update = algorithm === "qr";
  const fullBlocks = Math.floor(d / WY);
  const tMats = new Float64Array(fullBlocks * WY * WY);
  // Householder vectors v_k (unit norm, supported on rows k..d−1) are stored in place in column k;
  // inside a full block, rows k0..k−1 of column k are zeroed so V is plain.
  for (let k0 = 0; k0 < d; k0 += WY) {
    const k1 = Math.min(d, k0 + WY);
    for (let k = k0; k < k1; k++) {
      makeReflector(a, k, d, signs);
      if (update) for (let j = k + 1; j < k1; j++) reflect(a, k * d, a, j * d, k, d);
    }
    if (k1 - k0 < WY) {
      // last partial block: one reflection at a time
      if (update)
        for (let j = k1; j < d; j++) for (let k = k0; k < k1; k++) reflect(a, k * d, a, j * d, k, d);
      continue;
    }
    for (let k = k0 + 1; k < k1; k++) a.fill(0, k * d + k0, k * d + k);
    const t = tMats.subarray((k0 / WY) * WY * WY, (k0 / WY + 1) * WY * WY);
    buildT(a, k0, d, t);
    if (!update) continue;
    // trailing columns get (H_k0 ⋯ H_k0+3)ᵀ = I − V Tᵀ Vᵀ
    let j = k1;
    for (; j + 1 < d; j += 2) applyBlock2(a, k0, d, t, true, a, j * d);
    if (j < d) applyBlock1(a, k0, d, t, true, a, j * d);
  }
  // Q = H_0 H_1 … H_{d−1}, built backwards: M ← H_k M for k = d−1 … 0; q is column-major
  // (q[j*d + i] = Q[i][j]). Before block [k0, k1) is applied, columns j < k0 of M are still e_j
  // (zero from row k0 down), so it only needs columns j ≥ k0.
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  const tail = fullBlocks * WY;
  for (let k = d - 1; k >= tail; k--) for (let j = k; j < d; j++) reflect(a, k * d, q, j * d, k, d);
  for (let b = fullBlocks - 1; b >= 0; b--) {
    const k0 = b * WY;
    const t = tMats.subarray(b * WY * WY, (b + 1) * WY * WY);
    // block product H_k0 ⋯ H_k0+3 = I − V T Vᵀ
    let j = k0;
    for (; j + 1 < d; j += 2) applyBlock2(a, k0, d, t, false, q, j * d);
    if (j < d) applyBlock1(a, k0, d, t, false, q, j * d);
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
 * Turn column k (rows k..d−1) into the unit Householder vector v with H = I − 2vvᵀ mapping it to
 * R_kk·e_k, R_kk = −sign(x₀)·‖x‖ (the sign choice that avoids cancellation); records sign(R_kk).
 */
function makeReflector(a: Float64Array, k: number, d: number, signs: Float64Array): void {
  const ck = k * d;
  let norm2 = 0;
  for (let i = k; i < d; i++) norm2 += a[ck + i] * a[ck + i];
  const norm = Math.sqrt(norm2);
  const x0 = a[ck + k];
  const alpha = x0 >= 0 ? -norm : norm;
  signs[k] = alpha < 0 ? -1 : 1;
  const v0 = x0 - alpha;
  const vnorm2 = norm2 - x0 * x0 + v0 * v0;
  if (vnorm2 === 0) {
    // column already zero from the diagonal down: H_k = I (probability zero for Gaussian input)
    a.fill(0, ck + k, ck + d);
    signs[k] = 1;
    return;
  }
  const inv = 1 / Math.sqrt(vnorm2);
  a[ck + k] = v0 * inv;
  for (let i = k + 1; i < d; i++) a[ck + i] *= inv;
}

/**
 * The 4 × 4 upper-triangular T (row-major) with H_k0 ⋯ H_k0+3 = I − V T Vᵀ for H = I − 2vvᵀ
 * (forward, columnwise: T_jj = 2, T[0..j−1, j] = −2 · T[0..j−1, 0..j−1] · V[:, 0..j−1]ᵀ v_j).
 */
function buildT(a: Float64Array, k0: number, d: number, t: Float64Array): void {
  t.fill(0);
  const g = new Float64Array(WY * WY); // g[i*4 + j] = v_i · v_j
  for (let i = 0; i < WY; i++) {
    for (let j = i + 1; j < WY; j++) {
      const oi = (k0 + i) * d;
      const oj = (k0 + j) * d;
      let s = 0;
      for (let r = k0 + j; r < d; r++) s += a[oi + r] * a[oj + r];
      g[i * WY + j] = s;
    }
  }
  for (let j = 0; j < WY; j++) {
    t[j * WY + j] = 2;
    for (let i = 0; i < j; i++) {
      let s = 0;
      for (let m = i; m < j; m++) s += t[i * WY + m] * g[m * WY + j];
      t[i * WY + j] = -2 * s;
    }
  }
}

/** y[yo + k0..d) ← (I − V op(T) Vᵀ) y with op(T) = Tᵀ when `trans`, V the 4 columns from k0. */
function applyBlock1(
  a: Float64Array,
  k0: number,
  d: number,
  t: Float64Array,
  trans: boolean,
  y: Float64Array,
  yo: number,
): void {
  const c0 = k0 * d;
  const c1 = c0 + d;
  const c2 = c1 + d;
  const c3 = c2 + d;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  for (let i = k0; i < d; i++) {
    const yi = y[yo + i];
    w0 += a[c0 + i] * yi;
    w1 += a[c1 + i] * yi;
    w2 += a[c2 + i] * yi;
    w3 += a[c3 + i] * yi;
  }
  const u = triMul(t, trans, w0, w1, w2, w3);
  const u0 = u[0];
  const u1 = u[1];
  const u2 = u[2];
  const u3 = u[3];
  for (let i = k0; i < d; i++) y[yo + i] -= a[c0 + i] * u0 + a[c1 + i] * u1 + a[c2 + i] * u2 + a[c3 + i] * u3;
}

/** `applyBlock1` on the two consecutive columns at yo and yo + d (V loaded once for both). */
function applyBlock2(
  a: Float64Array,
  k0: number,
  d: number,
  t: Float64Array,
  trans: boolean,
  y: Float64Array,
  yo: number,
): void {
  const c0 = k0 * d;
  const c1 = c0 + d;
  const c2 = c1 + d;
  const c3 = c2 + d;
  const zo = yo + d;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  let x0 = 0;
  let x1 = 0;
  let x2 = 0;
  let x3 = 0;
  for (let i = k0; i < d; i++) {
    const yi = y[yo + i];
    const zi = y[zo + i];
    const v0 = a[c0 + i];
    const v1 = a[c1 + i];
    const v2 = a[c2 + i];
    const v3 = a[c3 + i];
    w0 += v0 * yi;
    w1 += v1 * yi;
    w2 += v2 * yi;
    w3 += v3 * yi;
    x0 += v0 * zi;
    x1 += v1 * zi;
    x2 += v2 * zi;
    x3 += v3 * zi;
  }
  const u = triMul(t, trans, w0, w1, w2, w3);
  const u0 = u[0];
  const u1 = u[1];
  const u2 = u[2];
  const u3 = u[3];
  const p = triMul(t, trans, x0, x1, x2, x3);
  const p0 = p[0];
  const p1 = p[1];
  const p2 = p[2];
  const p3 = p[3];
  for (let i = k0; i < d; i++) {
    const v0 = a[c0 + i];
    const v1 = a[c1 + i];
    const v2 = a[c2 + i];
    const v3 = a[c3 + i];
    y[yo + i] -= v0 * u0 + v1 * u1 + v2 * u2 + v3 * u3;
    y[zo + i] -= v0 * p0 + v1 * p1 + v2 * p2 + v3 * p3;
  }
}

const triOut = new Float64Array(4);

/** op(T)·w for the 4 × 4 upper-triangular row-major T; op(T) = Tᵀ when `trans`. Returns a shared buffer. */
function triMul(
  t: Float64Array,
  trans: boolean,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): Float64Array {
  if (trans) {
    triOut[0] = t[0] * w0;
    triOut[1] = t[1] * w0 + t[5] * w1;
    triOut[2] = t[2] * w0 + t[6] * w1 + t[10] * w2;
    triOut[3] = t[3] * w0 + t[7] * w1 + t[11] * w2 + t[15] * w3;
  } else {
    triOut[0] = t[0] * w0 + t[1] * w1 + t[2] * w2 + t[3] * w3;
    triOut[1] = t[5] * w1 + t[6] * w2 + t[7] * w3;
    triOut[2] = t[10] * w2 + t[11] * w3;
    triOut[3] = t[15] * w3;
  }
  return triOut;
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

/**
 * `C = A B` (row-major; A `m × k` float32 or float64, B `k × n` float64) with four rows of A per
 * sweep over B, so every loaded B entry feeds four multiply-adds — ~2.5× a plain i-k-j loop in V8.
 * Used for the d×d products of the polar decomposition and for rotating embedding tables.
 */

/** `A B` into a new float64 array, or into `out` (float32 or float64, `m × n`) when given. */
export function matmul4<T extends Float32Array | Float64Array = Float64Array>(
  a: Float32Array | Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: T,
): T {
  if (a.length !== m * k) throw new Error(`matmul4: a has ${a.length} values, expected ${m} × ${k}`);
  if (b.length !== k * n) throw new Error(`matmul4: b has ${b.length} values, expected ${k} × ${n}`);
  const c = (out ?? new Float64Array(m * n)) as T;
  if (c.length !== m * n) throw new Error(`matmul4: out has ${c.length} values, expected ${m} × ${n}`);
  const acc = new Float64Array(4 * n);
  for (let i = 0; i < m; i += 4) {
    const rows = Math.min(4, m - i);
    acc.fill(0);
    if (rows === 4) {
      const a0 = i * k;
      const a1 = a0 + k;
      const a2 = a1 + k;
      const a3 = a2 + k;
      for (let p = 0; p < k; p++) {
        const v0 = a[a0 + p];
        const v1 = a[a1 + p];
        const v2 = a[a2 + p];
        const v3 = a[a3 + p];
        const bo = p * n;
        for (let j = 0; j < n; j++) {
          const q = b[bo + j];
          acc[j] += v0 * q;
          acc[n + j] += v1 * q;
          acc[2 * n + j] += v2 * q;
          acc[3 * n + j] += v3 * q;
        }
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const ao = (i + r) * k;
        for (let p = 0; p < k; p++) {
          const v = a[ao + p];
          const bo = p * n;
          for (let j = 0; j < n; j++) acc[r * n + j] += v * b[bo + j];
        }
      }
    }
    for (let r = 0; r < rows; r++) c.set(acc.subarray(r * n, (r + 1) * n), (i + r) * n);
  }
  return c;
}

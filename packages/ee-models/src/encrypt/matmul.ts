/**
 * Dense products of the offline encryption. Large ones run in the default engine's runtime through
 * its one-node MatMul (`matmulF32`, float32); small ones in a float64-accumulating loop (exact
 * enough, no session).
 */
import { blockLeftMatmulF32, matmulF32 } from "../engines/builtin.js";

/** Where a product runs: `auto` picks by size (`ort` above `ORT_MIN_MACS` multiply-adds). */
export type MatmulPath = "auto" | "ort" | "js";

/** Products with at least this many multiply-adds go to the runtime's MatMul under `auto` (MACs). */
export const ORT_MIN_MACS = 1 << 24;

/** `C = A B` for row-major float32 `A [m, k]`, `B [k, n]`; returns `C [m, n]`. */
export async function matmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  path: MatmulPath = "auto",
): Promise<Float32Array> {
  if (a.length !== m * k) throw new Error(`encrypt matmul: A has ${a.length} elements, expected ${m}·${k}`);
  if (b.length !== k * n) throw new Error(`encrypt matmul: B has ${b.length} elements, expected ${k}·${n}`);
  const useOrt = path === "ort" || (path === "auto" && m * k * n >= ORT_MIN_MACS);
  if (useOrt) return matmulF32(a, b, m, k, n);
  const c = new Float32Array(m * n);
  const acc = new Float64Array(n); // one row of C
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const row = p * n;
      for (let j = 0; j < n; j++) acc[j] += aip * b[row + j];
    }
    c.set(acc, i * n);
  }
  return c;
}

/**
 * `C[i] = L X[i]` for row-major float32 `L [p, p]` and a batch `X [batch, p, n]`; returns
 * `C [batch, p, n]`. Same paths as `matmul` (by the product's multiply-adds).
 */
export async function leftMultiplyBlocks(
  l: Float32Array,
  x: Float32Array,
  batch: number,
  p: number,
  n: number,
  path: MatmulPath = "auto",
): Promise<Float32Array> {
  if (l.length !== p * p)
    throw new Error(`encrypt leftMultiplyBlocks: L has ${l.length} elements, expected ${p}·${p}`);
  if (x.length !== batch * p * n)
    throw new Error(`encrypt leftMultiplyBlocks: X has ${x.length} elements, expected ${batch}·${p}·${n}`);
  const useOrt = path === "ort" || (path === "auto" && batch * p * p * n >= ORT_MIN_MACS);
  if (useOrt) return blockLeftMatmulF32(l, x, batch, p, n);
  const c = new Float32Array(batch * p * n);
  for (let i = 0; i < batch; i++) {
    const off = i * p * n;
    c.set(await matmul(l, x.subarray(off, off + p * n), p, p, n, "js"), off);
  }
  return c;
}

/**
 * The Llama residual basis in both forms: the Kronecker factor sizes, the key components each form
 * writes, and the Kronecker products (both matmul paths) against the dense `A ⊗ B` products.
 */
import { createRandom, orthogonalityError } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { newKey } from "../../src/encrypt/key-build.js";
import {
  addResidualBasis,
  denseResidualBasis,
  kroneckerFactorSizes,
  RESIDUAL_KEY,
  residualBasis,
} from "../../src/encrypt/residual-basis.js";
import { getScheme } from "../../src/encrypt/schemes.js";
import { disposeMatmulSessions } from "../../src/engines/onnxruntime/matmul.js";
import { tinyLlama } from "./helpers.js";

/** `C = A B` in float64 (row-major). */
function product(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  return c;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function keyWith(kind: "haar" | "kronecker", d: number, seed: string) {
  const { cfg } = tinyLlama("basis");
  const key = newKey(
    { ...cfg, hiddenSize: d },
    getScheme(kind === "haar" ? "full" : "full-kron"),
    createRandom({ seed }),
  );
  addResidualBasis(key, kind, d, createRandom({ seed }));
  return key;
}

describe("kroneckerFactorSizes", () => {
  it("splits d into a · b with a the largest divisor ≤ √d", () => {
    expect(kroneckerFactorSizes(4096)).toEqual([64, 64]);
    expect(kroneckerFactorSizes(3072)).toEqual([48, 64]);
    expect(kroneckerFactorSizes(2048)).toEqual([32, 64]);
    expect(kroneckerFactorSizes(64)).toEqual([8, 8]);
    expect(kroneckerFactorSizes(7)).toEqual([1, 7]); // a prime width: B is the whole (dense) basis
    expect(() => kroneckerFactorSizes(0)).toThrow(/positive integer, got 0/);
  });
});

describe("residual basis key components", () => {
  it("haar writes one dense Q; kronecker writes two orthogonal factors and no dense Q", () => {
    const dense = keyWith("haar", 64, "k1");
    expect([...dense.components.keys()]).toEqual([RESIDUAL_KEY.dense]);
    const kron = keyWith("kronecker", 64, "k1");
    expect([...kron.components.keys()]).toEqual([RESIDUAL_KEY.outer, RESIDUAL_KEY.inner]);
    expect(kron.components.get(RESIDUAL_KEY.outer)?.tensor.shape).toEqual([8, 8]);
    const q = denseResidualBasis(kron, 64);
    expect(orthogonalityError(q, 64)).toBeLessThan(1e-12);
    expect(residualBasis(kron, 64).kind).toBe("kronecker");
    expect(residualBasis(dense, 64).kind).toBe("haar");
  });

  it("names the missing component", () => {
    const kron = keyWith("kronecker", 64, "k2");
    kron.components.delete(RESIDUAL_KEY.inner);
    expect(() => residualBasis(kron, 64)).toThrow(/no component 'hidden.Q.inner'/);
    expect(() => residualBasis(keyWith("haar", 64, "k3"), 32)).toThrow(
      /'hidden.Q' has shape \[64, 64\], expected \[32, 32\]/,
    );
  });
});

describe.each([
  // [d, rows, cols]: small products take the float64 loop; d = 1024 with 600 rows runs in onnxruntime
  [64, 12, 20],
  [1024, 600, 48],
])("Kronecker products at d = %i", (d, rows, cols) => {
  afterAll(() => disposeMatmulSessions());
  const key = keyWith("kronecker", d, `p${d}`);
  const basis = residualBasis(key, d);
  const Q = denseResidualBasis(key, d);
  const QT = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) QT[j * d + i] = Q[i * d + j];
  const rng = createRandom({ seed: `w${d}` });
  const w = rng.fillGaussian(new Float32Array(rows * d));
  const wt = rng.fillGaussian(new Float32Array(d * cols));
  const g = Float64Array.from({ length: d }, () => 0.5 + rng.float());

  it("W Q equals the dense product", async () => {
    expect(maxAbsDiff(await basis.right(w, rows), product(w, Q, rows, d, d))).toBeLessThan(2e-5);
  });

  it("W diag(g) Q equals the dense product", async () => {
    const gq = Q.map((q, idx) => q * g[Math.floor(idx / d)]);
    expect(maxAbsDiff(await basis.rightScaled(w, rows, "g", g), product(w, gq, rows, d, d))).toBeLessThan(
      2e-5,
    );
  });

  it("Qᵀ W equals the dense product", async () => {
    expect(maxAbsDiff(await basis.leftTransposed(wt, cols), product(QT, wt, d, d, cols))).toBeLessThan(2e-5);
  });
});

import { createRandom, haarOrthogonal, matmul, orthogonalityError, transpose } from "ee-core";
import { describe, expect, it } from "vitest";
import { polarOrthogonal } from "../../src/linalg/polar.js";
import { procrustesRotation } from "../../src/linalg/procrustes.js";
import { gaussianMatrix, rotateRows } from "../helpers/synthetic.js";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("polarOrthogonal (Newton–Schulz)", () => {
  it("returns Q for M = Q S with S symmetric positive definite", () => {
    const d = 24;
    const rng = createRandom({ seed: 31 });
    const q = haarOrthogonal(d, rng);
    const g = rng.fillGaussian(new Float64Array(d * d));
    const s = matmul(transpose(g, d, d), g, d, d, d); // GᵀG, SPD almost surely
    for (let i = 0; i < d; i++) s[i * d + i] += 0.5;
    const res = polarOrthogonal(matmul(q, s, d, d, d), d);
    expect(maxAbsDiff(res.q, q)).toBeLessThan(1e-9);
    expect(orthogonalityError(res.q, d)).toBeLessThan(1e-10);
  });

  it("rejects a singular matrix and bad shapes", () => {
    const d = 6;
    const m = new Float64Array(d * d);
    m[0] = 1; // rank 1
    expect(() => polarOrthogonal(m, d, { maxIterations: 50 })).toThrow(/singular|no convergence/);
    expect(() => polarOrthogonal(new Float64Array(5), 2)).toThrow(/expected 4/);
  });
});

describe("procrustesRotation", () => {
  it("recovers a Haar rotation from anchor pairs (with float32 rounding)", () => {
    const d = 32;
    const rng = createRandom({ seed: 32 });
    const q = haarOrthogonal(d, rng);
    const A = gaussianMatrix(200, d, 0.02, rng);
    const B = rotateRows(A, q);
    const idx = Int32Array.from({ length: 64 }, (_, i) => i * 3);
    const fit = procrustesRotation(A, idx, B, idx);
    expect(maxAbsDiff(fit.q, q)).toBeLessThan(1e-5);
    expect(fit.relativeResidual).toBeLessThan(1e-6);
  });

  it("needs at least d anchors", () => {
    const rng = createRandom({ seed: 33 });
    const A = gaussianMatrix(10, 8, 1, rng);
    expect(() => procrustesRotation(A, Int32Array.of(0, 1, 2), A, Int32Array.of(0, 1, 2))).toThrow(
      /need ≥ d/,
    );
  });
});

describe("matmul4", () => {
  it("equals ee-core's matmul for shapes that are and are not multiples of 4, into float32 or float64", async () => {
    const { matmul4 } = await import("../../src/linalg/matmul4.js");
    const rng = createRandom({ seed: 34 });
    for (const [m, k, n] of [
      [8, 5, 3],
      [7, 6, 9],
      [1, 1, 1],
    ]) {
      const a = rng.fillGaussian(new Float64Array(m * k));
      const b = rng.fillGaussian(new Float64Array(k * n));
      expect(maxAbsDiff(matmul4(a, b, m, k, n), matmul(a, b, m, k, n))).toBeLessThan(1e-12);
      const f32 = matmul4(Float32Array.from(a), b, m, k, n, new Float32Array(m * n));
      expect(f32).toBeInstanceOf(Float32Array);
      expect(maxAbsDiff(f32, matmul(Float32Array.from(a), b, m, k, n))).toBeLessThan(1e-5);
    }
    expect(() => matmul4(new Float64Array(3), new Float64Array(4), 2, 2, 2)).toThrow(/a has 3 values/);
  });
});

import { describe, expect, it } from "vitest";
import {
  blockDiagonal,
  haarOrthogonal,
  identity,
  inverseError,
  invert,
  matmul,
  orthogonalityError,
  randomInvertible,
  rotation2x2,
  toFloat32,
  transpose,
} from "../src/linalg.js";
import { createRandom } from "../src/random.js";

const rng = createRandom({ seed: "linalg-tests" });

describe("basic matrix operations", () => {
  it("matmul, transpose and identity on a hand example", () => {
    // [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [4 5; 10 11]
    expect(Array.from(matmul([1, 2, 3, 4, 5, 6], [1, 0, 0, 1, 1, 1], 2, 3, 2))).toEqual([4, 5, 10, 11]);
    expect(Array.from(transpose([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(identity(2))).toEqual([1, 0, 0, 1]);
    expect(() => matmul([1, 2], [1], 1, 2, 1)).toThrow("matmul: b has 1 elements, expected 2");
  });

  it("transpose of a large non-square matrix is exact (blocked loops)", () => {
    const a = rng.fillGaussian(new Float64Array(70 * 45));
    const t = transpose(a, 70, 45);
    for (let i = 0; i < 70; i++) for (let j = 0; j < 45; j++) expect(t[j * 70 + i]).toBe(a[i * 45 + j]);
    expect(Array.from(transpose(t, 45, 70))).toEqual(Array.from(a));
  });

  it("rotation2x2 is orthogonal with determinant 1 and rotates e1 by θ", () => {
    const r = rotation2x2(0.3);
    expect(orthogonalityError(r, 2)).toBeLessThan(1e-15);
    expect(r[0] * r[3] - r[1] * r[2]).toBeCloseTo(1, 14);
    // column vector convention: R · e1 = (cos θ, sin θ)
    expect(r[0]).toBeCloseTo(Math.cos(0.3), 15);
    expect(r[2]).toBeCloseTo(Math.sin(0.3), 15);
  });

  it("blockDiagonal places blocks on the diagonal and zeros elsewhere", () => {
    const m = blockDiagonal([[5], [1, 2, 3, 4]]);
    expect(Array.from(m)).toEqual([5, 0, 0, 0, 1, 2, 0, 3, 4]);
    expect(() => blockDiagonal([[1, 2, 3]])).toThrow("blockDiagonal: block 0 has 3 elements, not a square");
    const blocks = [haarOrthogonal(4, rng), haarOrthogonal(3, rng)];
    expect(orthogonalityError(blockDiagonal(blocks), 7)).toBeLessThan(1e-14);
  });
});

describe("haarOrthogonal", () => {
  for (const [d, algorithm] of [
    [64, "qr"],
    [768, "qr"],
    [64, "stewart"],
    [768, "stewart"],
  ] as const) {
    it(`${algorithm}: d = ${d} is orthogonal to 1e-5 after conversion to float32 (error in float64 from the float32 values)`, () => {
      const q = haarOrthogonal(d, rng, { algorithm });
      expect(q.length).toBe(d * d);
      expect(orthogonalityError(q, d)).toBeLessThan(1e-12);
      expect(orthogonalityError(toFloat32(q), d)).toBeLessThan(1e-5);
    });
  }

  it("is orthogonal for sizes that are not multiples of the 4-reflection blocks", () => {
    for (const algorithm of ["qr", "stewart"] as const) {
      for (const d of [2, 5, 6, 7, 9, 130]) {
        expect(orthogonalityError(haarOrthogonal(d, rng, { algorithm }), d)).toBeLessThan(1e-13);
      }
    }
  });

  it("is reproducible from a seed and handles d = 0 and 1", () => {
    const a = haarOrthogonal(16, createRandom({ seed: 3 }));
    const b = haarOrthogonal(16, createRandom({ seed: 3 }));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(haarOrthogonal(0, rng).length).toBe(0);
    expect(Math.abs(haarOrthogonal(1, rng)[0])).toBe(1);
    // @ts-expect-error: invalid algorithm name
    expect(() => haarOrthogonal(2, rng, { algorithm: "svd" })).toThrow(
      'haarOrthogonal: algorithm must be "qr" or "stewart", got "svd"',
    );
  });

  it.each(["qr", "stewart"] as const)(
    "%s has the Haar law: sign fix makes E[Q_ii] = 0, E[tr Q] = 0, E[(tr Q)²] = 1",
    (algorithm) => {
      // Without the sign fix, Householder QR gives Q_00 = −|x_0|/‖x‖ < 0 always (E = −1/2 for d = 3),
      // so the means below would be far from 0. For Haar O(3): Q_ii has sd 1/√3, tr Q has sd 1.
      const draws = 3000;
      const d = 3;
      const diagSum = new Float64Array(d);
      let tr = 0;
      let tr2 = 0;
      let positives00 = 0;
      for (let k = 0; k < draws; k++) {
        const q = haarOrthogonal(d, rng, { algorithm });
        let t = 0;
        for (let i = 0; i < d; i++) {
          diagSum[i] += q[i * d + i];
          t += q[i * d + i];
        }
        if (q[0] > 0) positives00++;
        tr += t;
        tr2 += t * t;
      }
      // tolerances: 5 standard errors (sd/√3000: 0.0105 for Q_ii, 0.018 for tr Q; sd of tr² mean ≈ 0.026)
      for (let i = 0; i < d; i++) expect(Math.abs(diagSum[i] / draws)).toBeLessThan(0.053);
      expect(Math.abs(tr / draws)).toBeLessThan(0.09);
      expect(Math.abs(tr2 / draws - 1)).toBeLessThan(0.13);
      // P(Q_00 > 0) = 1/2, sd of the fraction 0.009
      expect(Math.abs(positives00 / draws - 0.5)).toBeLessThan(0.046);
    },
  );
});

describe("randomInvertible and invert", () => {
  it("returns A = Q·diag(s) with its exact inverse and scales in range", () => {
    const d = 48;
    const { matrix, inverse, scales } = randomInvertible(d, rng, { minScale: 0.5, maxScale: 2 });
    expect(inverseError(matrix, inverse, d)).toBeLessThan(1e-12);
    expect(inverseError(inverse, matrix, d)).toBeLessThan(1e-12);
    for (const s of scales) expect(s >= 0.5 && s <= 2).toBe(true);
    // columns of A have norms equal to the scales
    for (let j = 0; j < d; j++) {
      let n2 = 0;
      for (let i = 0; i < d; i++) n2 += matrix[i * d + j] ** 2;
      expect(Math.sqrt(n2)).toBeCloseTo(scales[j], 12);
    }
    expect(() => randomInvertible(4, rng, { minScale: 0 })).toThrow(/need 0 < minScale <= maxScale/);
  });

  it("invert(randomInvertible) ≈ I and agrees with the exact inverse", () => {
    for (const d of [1, 2, 7, 64]) {
      const { matrix, inverse } = randomInvertible(d, rng);
      const inv = invert(matrix, d);
      expect(inverseError(matrix, inv, d)).toBeLessThan(1e-12);
      let worst = 0;
      for (let i = 0; i < d * d; i++) worst = Math.max(worst, Math.abs(inv[i] - inverse[i]));
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it("invert needs pivoting on a hand example and rejects singular matrices", () => {
    // [0 1; 1 0] has a zero leading pivot; its inverse is itself
    expect(Array.from(invert([0, 1, 1, 0], 2))).toEqual([0, 1, 1, 0]);
    // [2 1; 1 1]⁻¹ = [1 −1; −1 2]
    const inv = invert([2, 1, 1, 1], 2);
    for (const [i, v] of [1, -1, -1, 2].entries()) expect(inv[i]).toBeCloseTo(v, 14);
    expect(() => invert([1, 2, 2, 4], 2)).toThrow("invert: matrix is singular (no usable pivot in column 1)");
    expect(() => invert([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toThrow(/invert: matrix is singular/);
    expect(() => invert([1, Number.NaN, 0, 1], 2)).toThrow(
      "invert: matrix entry at position 1 is not finite",
    );
  });
});

describe("orthogonalityError", () => {
  it("measures max |QᵀQ − I| and sees a single perturbed entry", () => {
    const d = 20;
    const q = haarOrthogonal(d, rng);
    const bad = Float64Array.from(q);
    bad[3 * d + 5] += 1e-3;
    const err = orthogonalityError(bad, d);
    // (QᵀQ)_55 changes by 2·q_35·1e-3 + 1e-6 and off-diagonal (5, j) by 1e-3·q_3j
    expect(err).toBeGreaterThan(1e-5);
    expect(err).toBeLessThan(3e-3);
    expect(orthogonalityError([2, 0, 0, 1], 2)).toBeCloseTo(3, 14); // (QᵀQ)_00 = 4
  });
});

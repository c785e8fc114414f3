import { describe, expect, it } from "vitest";
import { argmaxAgreement, confidence, fidelity, maxAbsDiff, softmax } from "../src/metrics.js";

describe("metrics", () => {
  it("softmax is stable for large logits and sums to 1", () => {
    const p = softmax([1000, 1001, 999]);
    // e^{-1}, 1, e^{-2} normalized
    const z = Math.exp(-1) + 1 + Math.exp(-2);
    expect(p[1]).toBeCloseTo(1 / z, 15);
    expect(p[0]).toBeCloseTo(Math.exp(-1) / z, 15);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 15);
    expect(softmax([0, Number.NEGATIVE_INFINITY])[1]).toBe(0);
    expect(() => softmax([1, Number.NaN])).toThrow("softmax: logit at position 1 is NaN or +Infinity");
    expect(() => softmax([])).toThrow("softmax: logits are empty");
  });

  it("confidence gives the max probability and the first argmax", () => {
    // logits [0, ln 3]: probabilities [1/4, 3/4]
    const c = confidence([0, Math.log(3)]);
    expect(c.argmax).toBe(1);
    expect(c.maxProb).toBeCloseTo(0.75, 15);
    expect(confidence([2, 2, 1]).argmax).toBe(0);
  });

  it("fidelity (Eq. 4) is 1 for identical inputs and matches a hand-computed example", () => {
    expect(fidelity([0.9, 0.5, 0.7], [0.9, 0.5, 0.7])).toBe(1);
    // terms: |0.9 − 0.8| / 0.9 = 0.11111, |0.5 − 0.5| / 0.5 = 0, |0.6 − 0.3| / 0.6 = 0.5
    // mean = 0.61111 / 3 = 0.203704; fidelity = 0.796296
    expect(fidelity([0.9, 0.5, 0.3], [0.8, 0.5, 0.6])).toBeCloseTo(1 - (0.1 / 0.9 + 0 + 0.5) / 3, 12);
    expect(fidelity([0.9, 0.5, 0.3], [0.8, 0.5, 0.6])).toBeCloseTo(0.796296, 6);
    // symmetric in its arguments
    expect(fidelity([0.8, 0.5, 0.6], [0.9, 0.5, 0.3])).toBeCloseTo(0.796296, 6);
    expect(fidelity([0], [0])).toBe(1);
    expect(() => fidelity([0.5], [0.5, 0.2])).toThrow("fidelity: sEE has 1 values, sVI has 2");
    expect(() => fidelity([-0.1], [0.5])).toThrow("fidelity: sEE at position 0 is not a finite value >= 0");
  });

  it("argmaxAgreement and maxAbsDiff", () => {
    expect(argmaxAgreement([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(maxAbsDiff(Float32Array.from([1, 2, 3]), [1.5, 2, 2])).toBe(1);
    expect(Number.isNaN(maxAbsDiff([1, Number.NaN], [1, 1]))).toBe(true);
    expect(() => argmaxAgreement([], [])).toThrow("argmaxAgreement: no values");
  });
});

import { describe, expect, it } from "vitest";
import {
  deltaTPct,
  deltaTSummary,
  incompleteBeta,
  logGamma,
  mad,
  mannWhitneyU,
  mean,
  median,
  normalCdf,
  percentile,
  sd,
  studentTCdf,
  studentTQuantile,
  tInterval95,
  welchTTest,
} from "../src/stats.js";

describe("descriptive statistics", () => {
  it("mean, sd (n − 1), median, MAD, percentiles on hand examples", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // deviations ±1.5, ±0.5: Σ = 5, /3 → sd = √(5/3)
    expect(sd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // median 2; |x − 2| = [1,1,0,0,2,4,7] → sorted [0,0,1,1,2,4,7] → 1
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    // type 7: h = (n − 1)·p/100 = 0.75 → 1 + 0.75·(2 − 1)
    expect(percentile([4, 3, 2, 1], 25)).toBeCloseTo(1.75, 15);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
    expect(percentile([10, 20, 30, 40, 50], 90)).toBeCloseTo(46, 12);
    expect(() => sd([1])).toThrow("sd: need at least 2 value(s), got 1");
    expect(() => percentile([1], 101)).toThrow("percentile: p must be in [0, 100], got 101");
    expect(() => mean([1, Number.NaN])).toThrow("mean: value at position 1 is not finite");
  });
});

describe("special functions and the t distribution", () => {
  it("logGamma and incompleteBeta at known values", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, 1) = x; I_x(2, 1) = x²; I_{1/2}(a, a) = 1/2
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 14);
    expect(incompleteBeta(0.5, 3.7, 3.7)).toBeCloseTo(0.5, 14);
  });

  it("t quantiles match tables to 1e-4", () => {
    expect(Math.abs(studentTQuantile(0.975, 2) - 4.3027)).toBeLessThan(1e-4);
    expect(Math.abs(studentTQuantile(0.975, 10) - 2.2281)).toBeLessThan(1e-4);
    expect(Math.abs(studentTQuantile(0.975, 30) - 2.0423)).toBeLessThan(1e-4);
    expect(Math.abs(studentTQuantile(0.995, 5) - 4.0321)).toBeLessThan(1e-4);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-studentTQuantile(0.975, 10), 12);
    // df = 1 is Cauchy: quantile tan(π(p − 1/2)); df → ∞ tends to the normal 1.95996
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(Math.tan(Math.PI * 0.475), 8);
    expect(Math.abs(studentTQuantile(0.975, 1e7) - 1.959964)).toBeLessThan(1e-5);
  });

  it("t CDF: Cauchy closed form for df = 1, closed form for df = 2, symmetry", () => {
    for (const t of [-3, -0.5, 0, 0.7, 10]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 13);
      // df = 2: F(t) = 1/2 + t / (2√(2 + t²))
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 13);
      expect(studentTCdf(t, 7.5) + studentTCdf(-t, 7.5)).toBeCloseTo(1, 14);
    }
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
  });

  it("tInterval95 on a hand example", () => {
    // xs = [1, 2, 3]: mean 2, sd 1, halfWidth = t_{0.975,2} / √3 = 4.302653 / 1.732051 = 2.484138
    const ci = tInterval95([1, 2, 3]);
    expect(ci.mean).toBe(2);
    expect(ci.df).toBe(2);
    expect(ci.halfWidth).toBeCloseTo(2.484138, 5);
    expect(ci.low).toBeCloseTo(2 - 2.484138, 5);
    expect(ci.high).toBeCloseTo(2 + 2.484138, 5);
  });
});

describe("ΔT", () => {
  it("deltaTPct = (EE − VI) / VI × 100 and deltaTSummary", () => {
    expect(deltaTPct(11, 10)).toBeCloseTo(10, 12);
    expect(deltaTPct(39.27, 39.02)).toBeCloseTo(0.6407, 3); // the paper's BERT row
    expect(() => deltaTPct(1, 0)).toThrow("deltaTPct: viSec must be finite and > 0, got 0");
    // [1, 2, 3] %: mean 2, sd 1, ci as above
    const s = deltaTSummary([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBeCloseTo(1, 14);
    expect(s.n).toBe(3);
    expect(s.ci95.halfWidth).toBeCloseTo(2.484138, 5);
  });
});

describe("two-sample comparisons", () => {
  it("Welch t-test on hand examples", () => {
    // a = [1,2,3], b = [4,5,6]: means 2, 5; var 1 each; se² = 1/3 + 1/3 = 2/3; t = −3/√(2/3) = −3.674235.
    // df = (2/3)² / ((1/3)²/2 + (1/3)²/2) = (4/9)/(1/9) = 4.
    // df = 4 closed form: F(t) = 1/2 + (3/8)·u·(1 − t²/(12(1 + t²/4))) with u = t/√(1 + t²/4):
    // t² = 13.5, 1 + t²/4 = 4.375, u = 1.756626, bracket = 0.742857 → F = 0.989346 → p = 2(1 − F) = 0.021312.
    const w = welchTTest([1, 2, 3], [4, 5, 6]);
    expect(w.t).toBeCloseTo(-3.674235, 6);
    expect(w.df).toBeCloseTo(4, 12);
    expect(w.pValue).toBeCloseTo(0.021312, 5);
    // a = [1,2,3,4], b = [2,4,6,8,10]: var 5/3 and 10; se² = 5/12 + 2 = 2.416667; t = −3.5/1.554563 = −2.251436;
    // df = 2.416667² / ((5/12)²/3 + 2²/4) = 5.840278 / 1.057870 = 5.520788
    const w2 = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    expect(w2.t).toBeCloseTo(-2.251436, 5);
    expect(w2.df).toBeCloseTo(5.520788, 5);
    expect(w2.pValue).toBeGreaterThan(0.05);
    expect(w2.pValue).toBeLessThan(0.1);
    expect(welchTTest([1, 1], [1, 1])).toEqual({ t: 0, df: 2, pValue: 1 });
  });

  it("Mann–Whitney U on hand examples (with and without ties)", () => {
    // a = [1,2,3], b = [4,5,6,7]: ranks of a 1,2,3 → R = 6, U = 6 − 3·4/2 = 0; μ = 6; σ² = 3·4/12·8 = 8;
    // z = (0 − 6 + 0.5)/√8 = −1.944544; p = 2Φ(−1.944544) = 0.051830
    const m = mannWhitneyU([1, 2, 3], [4, 5, 6, 7]);
    expect(m.u).toBe(0);
    expect(m.z).toBeCloseTo(-1.944544, 5);
    expect(m.pValue).toBeCloseTo(0.05183, 4);
    // a = [1,2,2,3], b = [2,4,5]: three 2s share ranks 2,3,4 → 3; R_a = 1 + 3 + 3 + 5 = 12; U = 12 − 10 = 2;
    // μ = 6; tie term 3³ − 3 = 24; σ² = 12/12 · (8 − 24/42) = 7.428571; z = (2 − 6 + 0.5)/2.725541 = −1.284149;
    // p = 2Φ(−1.284149) = 0.199090
    const t = mannWhitneyU([1, 2, 2, 3], [2, 4, 5]);
    expect(t.u).toBe(2);
    expect(t.z).toBeCloseTo(-1.284149, 5);
    expect(t.pValue).toBeCloseTo(0.19909, 4);
    // U_a + U_b = n_a n_b
    expect(mannWhitneyU([2, 4, 5], [1, 2, 2, 3]).u).toBe(10);
    expect(mannWhitneyU([1, 1], [1, 1])).toEqual({ u: 2, z: 0, pValue: 1 });
  });
});

import { describe, expect, it } from "vitest";
import { createRandom } from "../src/random.js";

describe("createRandom", () => {
  it("seeded streams are bit-identical across two creations and flagged reproducible", () => {
    const a = createRandom({ seed: "alpha" });
    const b = createRandom({ seed: "alpha" });
    expect(a.reproducible).toBe(true);
    expect(Buffer.from(a.bytes(10_000)).equals(Buffer.from(b.bytes(10_000)))).toBe(true);
    const ga = a.fillGaussian(new Float64Array(5000));
    const gb = b.fillGaussian(new Float64Array(5000));
    expect(Buffer.from(ga.buffer).equals(Buffer.from(gb.buffer))).toBe(true);
    for (let i = 0; i < 100; i++) expect(a.int(1000)).toBe(b.int(1000));
  });

  it("integer seeds given as number and bigint agree; a string seed differs", () => {
    const x = createRandom({ seed: 7 }).bytes(64);
    const y = createRandom({ seed: 7n }).bytes(64);
    const z = createRandom({ seed: "7" }).bytes(64);
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(true);
    expect(Buffer.from(x).equals(Buffer.from(z))).toBe(false);
  });

  it("derive is deterministic in (seed, label) and independent of order and parent consumption", () => {
    const p1 = createRandom({ seed: 1 });
    const a1 = p1.derive("a").bytes(256);
    const b1 = p1.derive("b").bytes(256);
    const p2 = createRandom({ seed: 1 });
    p2.bytes(12345);
    const b2 = p2.derive("b").bytes(256);
    const a2 = p2.derive("a").bytes(256);
    expect(Buffer.from(a1).equals(Buffer.from(a2))).toBe(true);
    expect(Buffer.from(b1).equals(Buffer.from(b2))).toBe(true);
    expect(Buffer.from(a1).equals(Buffer.from(b1))).toBe(false);
    expect(p1.derive("a").reproducible).toBe(true);
  });

  it("unseeded streams differ and are not reproducible", () => {
    const a = createRandom();
    const b = createRandom();
    expect(a.reproducible).toBe(false);
    expect(Buffer.from(a.bytes(64)).equals(Buffer.from(b.bytes(64)))).toBe(false);
    expect(a.derive("x").reproducible).toBe(false);
    expect(Buffer.from(a.derive("x").bytes(64)).equals(Buffer.from(a.derive("x").bytes(64)))).toBe(false);
  });

  it("int is unbiased for a non-power-of-two range (counts within 5 sd)", () => {
    const r = createRandom({ seed: "int" });
    const k = 3;
    const n = 30_000;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]++;
    const sdCount = Math.sqrt(n * (1 / k) * (1 - 1 / k));
    for (const c of counts) expect(Math.abs(c - n / k)).toBeLessThan(5 * sdCount);
    expect(() => r.int(0)).toThrow(/maxExclusive must be a positive safe integer/);
    // beyond 2^32 the 53-bit path is used
    const big = r.int(2 ** 40);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 40).toBe(true);
  });

  it("float is in [0, 1) with mean ≈ 1/2", () => {
    const r = createRandom({ seed: "float" });
    let s = 0;
    for (let i = 0; i < 20_000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      s += f;
    }
    // sd of the mean = sqrt(1/12 / 20000) ≈ 0.002; tolerance 0.01
    expect(Math.abs(s / 20_000 - 0.5)).toBeLessThan(0.01);
  });

  it("gaussian and fillGaussian (f32 and f64) have mean ≈ 0 and variance ≈ std²", () => {
    const r = createRandom({ seed: "gauss" });
    const n = 200_000;
    for (const arr of [new Float32Array(n), new Float64Array(n)]) {
      r.fillGaussian(arr, 2);
      let s = 0;
      let s2 = 0;
      for (const v of arr) {
        s += v;
        s2 += v * v;
      }
      // sd of the mean = 2/sqrt(n) ≈ 0.0045; sd of the variance estimate ≈ 4·sqrt(2/n) ≈ 0.013
      expect(Math.abs(s / n)).toBeLessThan(0.025);
      expect(Math.abs(s2 / n - 4)).toBeLessThan(0.07);
    }
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 50_000; i++) {
      const g = r.gaussian();
      s += g;
      s2 += g * g;
    }
    expect(Math.abs(s / 50_000)).toBeLessThan(0.025);
    expect(Math.abs(s2 / 50_000 - 1)).toBeLessThan(0.04);
  });

  it("fillGaussian handles odd lengths and lengths spanning several refills", () => {
    const r = createRandom({ seed: "odd" });
    const x = r.fillGaussian(new Float64Array(3));
    expect(x.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    const big = r.fillGaussian(new Float32Array(600_001));
    expect(big.every((v) => Number.isFinite(v))).toBe(true);
    expect(big[600_000]).not.toBe(0);
  });

  it("rejects bad seeds", () => {
    expect(() => createRandom({ seed: 1.5 })).toThrow(/numeric seed must be a safe integer/);
  });
});

import { describe, expect, it } from "vitest";
import {
  applyPermutation,
  composePermutations,
  gatherCols,
  gatherRows,
  identityPermutation,
  invertPermutation,
  permutationDefect,
  permuteCols,
  permuteRows,
  randomPermutation,
  validatePermutation,
} from "../src/permutation.js";
import { createRandom } from "../src/random.js";

const rng = createRandom({ seed: "perm-tests" });

function randomMatrix(rows: number, cols: number): Float32Array {
  return rng.fillGaussian(new Float32Array(rows * cols));
}

describe("permutations", () => {
  it("π∘π⁻¹ = π⁻¹∘π = id for many random n, including 0 and 1", () => {
    const sizes = [0, 1, 2, 3, 5, 17, 64, 1000];
    for (let t = 0; t < 40; t++) sizes.push(rng.int(300));
    for (const n of sizes) {
      const p = randomPermutation(n, rng);
      validatePermutation(p, n, "p");
      const inv = invertPermutation(p);
      expect(Array.from(composePermutations(p, inv))).toEqual(Array.from(identityPermutation(n)));
      expect(Array.from(composePermutations(inv, p))).toEqual(Array.from(identityPermutation(n)));
    }
  });

  it("composePermutations(a, b) applies b first, then a", () => {
    const a = Int32Array.from([1, 2, 0]);
    const b = Int32Array.from([0, 2, 1]);
    // c[i] = a[b[i]] = [a[0], a[2], a[1]] = [1, 0, 2]
    expect(Array.from(composePermutations(a, b))).toEqual([1, 0, 2]);
    const x = Float64Array.from([10, 20, 30]);
    const viaC = applyPermutation(x, composePermutations(a, b));
    const viaBA = applyPermutation(applyPermutation(x, b), a);
    expect(Array.from(viaC)).toEqual(Array.from(viaBA));
  });

  it("randomPermutation is uniform on n = 3 (each of 6 permutations ≈ 1/6)", () => {
    const counts = new Map<string, number>();
    const n = 12_000;
    for (let i = 0; i < n; i++) {
      const k = Array.from(randomPermutation(3, rng)).join("");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const sdCount = Math.sqrt(n * (1 / 6) * (5 / 6));
    for (const c of counts.values()) expect(Math.abs(c - n / 6)).toBeLessThan(5 * sdCount);
  });

  it("validatePermutation names the defect by position", () => {
    expect(() => validatePermutation(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 3]), 10, "vocab")).toThrow(
      "vocab: not a permutation of 0..9: value repeated at positions 3 and 9",
    );
    expect(() => validatePermutation(Int32Array.from([0, 5, 1]), 3, "p")).toThrow(
      "p: not a permutation of 0..2: value at position 1 is outside 0..2",
    );
    expect(() => validatePermutation(Int32Array.from([0, 1]), 3, "p")).toThrow(
      "p: not a permutation of 0..2: length is 2, expected 3",
    );
    expect(permutationDefect(Int32Array.from([9, 1, 0, 2]), 3, 1)).toBeUndefined();
  });

  it("applyPermutation scatters: out[perm[i]] = x[i]", () => {
    const perm = Int32Array.from([2, 0, 1]);
    expect(Array.from(applyPermutation(Float32Array.from([10, 20, 30]), perm))).toEqual([20, 30, 10]);
  });

  it("permuteRows scatters rows and gatherRows by π undoes it; both directions", () => {
    const rows = 7;
    const cols = 5;
    const m = randomMatrix(rows, cols);
    const p = randomPermutation(rows, rng);
    const s = permuteRows(m, rows, cols, p);
    for (let i = 0; i < rows; i++) {
      expect(Array.from(s.subarray(p[i] * cols, (p[i] + 1) * cols))).toEqual(
        Array.from(m.subarray(i * cols, (i + 1) * cols)),
      );
    }
    expect(Array.from(gatherRows(s, rows, cols, p))).toEqual(Array.from(m));
    // scatter by π = gather by π⁻¹
    expect(Array.from(gatherRows(m, rows, cols, invertPermutation(p)))).toEqual(Array.from(s));
    // scatter by π then scatter by π⁻¹ = id
    expect(Array.from(permuteRows(s, rows, cols, invertPermutation(p)))).toEqual(Array.from(m));
  });

  it("permuteCols scatters columns and gatherCols by π undoes it; both directions", () => {
    const rows = 4;
    const cols = 9;
    const m = randomMatrix(rows, cols);
    const p = randomPermutation(cols, rng);
    const s = permuteCols(m, rows, cols, p);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < cols; j++) expect(s[r * cols + p[j]]).toBe(m[r * cols + j]);
    expect(Array.from(gatherCols(s, rows, cols, p))).toEqual(Array.from(m));
    expect(Array.from(gatherCols(m, rows, cols, invertPermutation(p)))).toEqual(Array.from(s));
    expect(Array.from(permuteCols(s, rows, cols, invertPermutation(p)))).toEqual(Array.from(m));
  });

  it("gather selects arbitrary rows/columns and checks indices", () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]); // 2 × 3
    expect(Array.from(gatherRows(m, 2, 3, [1, 1, 0]))).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    expect(Array.from(gatherCols(m, 2, 3, [2, 0]))).toEqual([3, 1, 6, 4]);
    expect(() => gatherRows(m, 2, 3, [2])).toThrow("gatherRows: idx position 0 is outside 0..1");
    expect(() => gatherCols(m, 2, 3, [0, 3])).toThrow("gatherCols: idx position 1 is outside 0..2");
    expect(() => permuteRows(m, 3, 3, identityPermutation(3))).toThrow(/permuteRows: matrix has 6 elements/);
    expect(() => permuteCols(m, 2, 3, Int32Array.from([0, 0, 1]))).toThrow(
      /permuteCols: perm: not a permutation/,
    );
  });
});

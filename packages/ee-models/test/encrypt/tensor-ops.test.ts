/** tensor-ops against explicit matrix algebra on small HF-layout weights. */
import { createRandom, randomInvertible, type Tensor } from "ee-core";
import { describe, expect, it } from "vitest";
import {
  expandBlockPermutation,
  leftMultiplyInputBlocks,
  rightMultiplyOutputBlocks,
  rightMultiplyOutputBlocksInPlace,
  scaleAxis,
  scaleRowsInPlace,
  scaleThenScatterCols,
  scatterAxis,
  scatterRowsInPlace,
} from "../../src/encrypt/tensor-ops.js";

const rng = createRandom({ seed: "tensor-ops" });
const f32 = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: "F32", shape, data: rng.fillGaussian(new Float32Array(n)) };
};
const at = (t: Tensor, r: number, c: number) => (t.data as Float32Array)[r * t.shape[1] + c];

/** HF weight `[out, in]` → row-vector W `[in, out]` as nested arrays. */
function asW(t: Tensor): number[][] {
  const [out, inp] = t.shape;
  return Array.from({ length: inp }, (_, i) => Array.from({ length: out }, (_, o) => at(t, o, i)));
}

function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

function blockDiag(blocks: Float64Array, n: number, size: number): number[][] {
  const m = Array.from({ length: n * size }, () => new Array<number>(n * size).fill(0));
  for (let h = 0; h < n; h++) {
    for (let i = 0; i < size; i++)
      for (let j = 0; j < size; j++) m[h * size + i][h * size + j] = blocks[h * size * size + i * size + j];
  }
  return m;
}

describe("scatterAxis and scaleAxis", () => {
  it("move rows, columns and vector entries to perm[i]", () => {
    const t = f32([3, 4]);
    const pr = Int32Array.of(2, 0, 1);
    const pc = Int32Array.of(3, 1, 0, 2);
    const r = scatterAxis(t, 0, pr, "t");
    const c = scatterAxis(t, 1, pc, "t");
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) {
        expect(at(r, pr[i], j)).toBe(at(t, i, j));
        expect(at(c, i, pc[j])).toBe(at(t, i, j));
      }
    }
    const v = f32([3]);
    const sv = scatterAxis(v, 0, pr, "v");
    for (let i = 0; i < 3; i++) expect(sv.data[pr[i]]).toBe(v.data[i]);
    expect(() => scatterAxis(t, 0, pc, "t")).toThrow(/does not fit axis 0/);
  });

  it("scales one axis", () => {
    const t = f32([2, 3]);
    const s = scaleAxis(t, 1, [1, -2, 0.5], "t");
    expect(at(s, 1, 1)).toBeCloseTo(-2 * at(t, 1, 1), 6);
    expect(at(s, 0, 2)).toBeCloseTo(0.5 * at(t, 0, 2), 6);
  });

  it("expands a block permutation to features", () => {
    expect(Array.from(expandBlockPermutation(Int32Array.of(1, 0), 3))).toEqual([3, 4, 5, 0, 1, 2]);
  });
});

describe("block transforms", () => {
  const H = 3;
  const size = 4;
  const blocks = new Float64Array(H * size * size);
  for (let h = 0; h < H; h++)
    blocks.set(randomInvertible(size, rng.derive(String(h))).matrix, h * size * size);
  const M = blockDiag(blocks, H, size);

  it("rightMultiplyOutputBlocks: W ← W · blockdiag(M_h), bias b ← b · blockdiag(M_h)", () => {
    const w = f32([H * size, 5]); // HF [out, in]
    const expected = matmul(asW(w), M);
    const got = asW(rightMultiplyOutputBlocks(w, blocks, size, "w"));
    for (const [i, row] of got.entries())
      for (const [j, x] of row.entries()) expect(x).toBeCloseTo(expected[i][j], 5);
    const b = f32([H * size]);
    const eb = matmul([Array.from(b.data as Float32Array)], M)[0];
    const gb = rightMultiplyOutputBlocks(b, blocks, size, "b").data as Float32Array;
    for (const [j, x] of eb.entries()) expect(gb[j]).toBeCloseTo(x, 5);
  });

  it("leftMultiplyInputBlocks: W ← blockdiag(M_h) · W", () => {
    const w = f32([5, H * size]); // HF [out, in]
    const expected = matmul(M, asW(w));
    const got = asW(leftMultiplyInputBlocks(w, blocks, size, "w"));
    for (const [i, row] of got.entries())
      for (const [j, x] of row.entries()) expect(x).toBeCloseTo(expected[i][j], 5);
  });

  it("reject blocks that do not fit", () => {
    expect(() => rightMultiplyOutputBlocks(f32([10, 2]), blocks, size, "w")).toThrow(
      /not a multiple of block 4/,
    );
    expect(() => leftMultiplyInputBlocks(f32([2, 8]), blocks, size, "w")).toThrow(/do not fit 2 blocks/);
  });
});

describe("in-place and fused variants equal the allocating ones", () => {
  const copy = (t: Tensor): Tensor => ({ ...t, data: Float32Array.from(t.data as Float32Array) });
  const perm = (n: number) => {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  };

  it("scatterRowsInPlace", () => {
    const t = f32([9, 4]);
    const p = perm(9);
    const c = copy(t);
    expect(scatterRowsInPlace(c, p, "t")).toBe(c);
    expect(Array.from(c.data as Float32Array)).toEqual(
      Array.from(scatterAxis(t, 0, p, "t").data as Float32Array),
    );
  });

  it("scaleRowsInPlace and scaleThenScatterCols", () => {
    const t = f32([3, 5]);
    const c = scaleRowsInPlace(copy(t), [2, -1, 0.5], "t");
    expect(Array.from(c.data as Float32Array)).toEqual(
      Array.from(scaleAxis(t, 0, [2, -1, 0.5], "t").data as Float32Array),
    );
    const p = perm(5);
    const s = [1, 2, 3, -4, 0.25];
    const fused = scaleThenScatterCols(t, s, p, "t");
    expect(Array.from(fused.data as Float32Array)).toEqual(
      Array.from(scatterAxis(scaleAxis(t, 1, s, "t"), 1, p, "t").data as Float32Array),
    );
  });

  it("rightMultiplyOutputBlocksInPlace and leftMultiplyInputBlocks with a block permutation", () => {
    const H = 3;
    const size = 2;
    const blocks = rng.fillGaussian(new Float64Array(H * size * size));
    const w = f32([H * size, 4]);
    const a = Array.from(rightMultiplyOutputBlocks(w, blocks, size, "w").data as Float32Array);
    const b = Array.from(rightMultiplyOutputBlocksInPlace(copy(w), blocks, size, "w").data as Float32Array);
    for (const [i, x] of b.entries()) expect(x).toBeCloseTo(a[i], 6);
    const o = f32([4, H * size]);
    const sigma = Int32Array.of(2, 0, 1);
    const placed = leftMultiplyInputBlocks(o, blocks, size, "o", sigma).data as Float32Array;
    const twoStep = scatterAxis(
      leftMultiplyInputBlocks(o, blocks, size, "o"),
      1,
      expandBlockPermutation(sigma, size),
      "o",
    ).data as Float32Array;
    expect(Array.from(placed)).toEqual(Array.from(twoStep));
  });
});

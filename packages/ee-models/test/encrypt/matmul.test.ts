/** The offline product on both paths (float64 loop, onnxruntime) against a direct sum. */
import { createRandom } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { leftMultiplyBlocks, matmul } from "../../src/encrypt/matmul.js";
import { disposeMatmulSessions } from "../../src/engines/onnxruntime/matmul.js";

describe("encrypt matmul", () => {
  afterAll(() => disposeMatmulSessions());
  const rng = createRandom({ seed: "matmul" });
  const [m, k, n] = [7, 33, 5];
  const a = rng.fillGaussian(new Float32Array(m * k));
  const b = rng.fillGaussian(new Float32Array(k * n));
  const c = (i: number, j: number) => {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    return s;
  };

  it.each(["js", "ort", "auto"] as const)("path %s gives A·B", async (path) => {
    const got = await matmul(a, b, m, k, n, path);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(got[i * n + j]).toBeCloseTo(c(i, j), 4);
  });

  it("rejects shapes that do not fit", async () => {
    await expect(matmul(a, b, m, k + 1, n)).rejects.toThrow(/A has 231 elements/);
    await expect(leftMultiplyBlocks(a, b, 1, k, n)).rejects.toThrow(/L has 231 elements/);
  });

  it.each(["js", "ort", "auto"] as const)("path %s gives L·X[i] for every block of a batch", async (path) => {
    const [batch, p, q] = [3, 6, 4];
    const l = rng.fillGaussian(new Float32Array(p * p));
    const x = rng.fillGaussian(new Float32Array(batch * p * q));
    const got = await leftMultiplyBlocks(l, x, batch, p, q, path);
    for (let i = 0; i < batch; i++)
      for (let r = 0; r < p; r++)
        for (let j = 0; j < q; j++) {
          let s = 0;
          for (let t = 0; t < p; t++) s += l[r * p + t] * x[(i * p + t) * q + j];
          expect(got[(i * p + r) * q + j]).toBeCloseTo(s, 4);
        }
  });
});

/** The offline product on both paths (float64 loop, onnxruntime) against a direct sum. */
import { createRandom } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { matmul } from "../../src/encrypt/matmul.js";
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
  });
});

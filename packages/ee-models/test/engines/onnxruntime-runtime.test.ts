import { describe, expect, it } from "vitest";
import { sessionOptionsOf } from "../../src/engines/onnxruntime/factory.js";
import { matmulF32 } from "../../src/engines/onnxruntime/matmul.js";
import {
  createSession,
  cudaUnavailableMessage,
  listBackends,
  ortOptions,
  ortVersion,
} from "../../src/engines/onnxruntime/runtime.js";
import { seeded } from "../fixtures.js";

describe("onnxruntime backend", () => {
  it("reports its version", () => {
    expect(ortVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('device "cuda" without the CUDA provider fails with a clear message', async () => {
    const cuda = listBackends().find((b) => b.name === "cuda");
    // This machine has the CPU-only build; on a CUDA build this test checks nothing else.
    if (cuda && !cuda.bundled) {
      await expect(createSession("/nonexistent/model.onnx", { device: "cuda" })).rejects.toThrow(
        /device cuda: onnxruntime-node .* has no CUDA execution provider on this machine .*ONNXRUNTIME_NODE_INSTALL=cuda12/,
      );
    }
    expect(cudaUnavailableMessage("x")).toContain('use device "cpu"');
  });

  it("names a missing model file", async () => {
    await expect(createSession("/nonexistent/model.onnx")).rejects.toThrow(
      "/nonexistent/model.onnx: ONNX model file not found",
    );
  });

  it("matmulF32 equals a naive product (odd shapes)", async () => {
    const rng = seeded("matmul");
    const [m, k, n] = [37, 19, 23];
    const a = rng.fillGaussian(new Float32Array(m * k));
    const b = rng.fillGaussian(new Float32Array(k * n));
    const c = await matmulF32(a, b, m, k, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
        expect(c[i * n + j]).toBeCloseTo(s, 4);
      }
    }
    // forced into 4-row chunks (4·23·4 bytes): the same product (MLAS may block differently: 1e-5)
    const chunked = await matmulF32(a, b, m, k, n, { maxChunkBytes: 4 * 23 * 4 });
    expect(chunked.length).toBe(m * n);
    for (let i = 0; i < chunked.length; i++) expect(chunked[i]).toBeCloseTo(c[i], 5);
    await expect(matmulF32(a, b, m + 1, k, n)).rejects.toThrow(/A has 703 elements, expected m·k = 38·19/);
  });

  it("allowSpinning maps to onnxruntime's intra_op.allow_spinning, and is left alone by default", () => {
    expect(ortOptions("cpu", { allowSpinning: false }).extra).toEqual({
      session: { intra_op: { allow_spinning: "0" } },
    });
    expect(ortOptions("cpu", { allowSpinning: true }).extra).toEqual({
      session: { intra_op: { allow_spinning: "1" } },
    });
    expect(ortOptions("cpu", {}).extra).toBeUndefined();
  });

  it("memArena maps to enableCpuMemArena (engine extra key memArena), left alone by default", () => {
    expect(ortOptions("cpu", { memArena: false }).enableCpuMemArena).toBe(false);
    expect(ortOptions("cpu", {}).enableCpuMemArena).toBeUndefined();
    expect(sessionOptionsOf({ extra: { memArena: false } }).memArena).toBe(false);
    expect(() => sessionOptionsOf({ extra: { memArena: "no" } })).toThrow(
      /bad option extra\.memArena = "no" .*memArena true\|false/,
    );
  });
});

import { existsSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../../src/bert/architecture.js";
import { bertReferenceLogits } from "../../src/bert/reference.js";
import { createSession, outputF32, tensorF32 } from "../../src/engines/onnxruntime/runtime.js";
import { GraphBuilder } from "../../src/onnx/builder.js";
import { feedsOf, paddedBatch, seeded, tempDir, tinyEncoderJson } from "../fixtures.js";

const tmp = tempDir("writer");
afterAll(() => tmp.cleanup());

/** y = x Wᵀ + b with W given in HF layout [out, in] = [3, 2]. */
function linearModel(): { g: GraphBuilder; W: Float32Array; b: Float32Array } {
  const g = new GraphBuilder("linear");
  const W = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const b = Float32Array.from([0.5, -1, 2]);
  const x = g.input("x", "float32", ["n", 2]);
  const y = g.linear(
    x,
    g.weight("w", { dtype: "F32", shape: [3, 2], data: W }, { transpose: true }),
    g.initializer("b", b, [3]),
  );
  g.output(y, "y", "float32", ["n", 3]);
  return { g, W, b };
}

describe("saveGraph", () => {
  it("writes inline initializers that onnxruntime reads (transposed weight)", async () => {
    const { g } = linearModel();
    const r = g.save(`${tmp.dir}/inline`);
    expect(r.externalDataPath).toBeUndefined();
    const s = await createSession(r.onnxPath);
    const y = outputF32(await s.run({ x: tensorF32(Float32Array.from([1, 1, 2, -1]), [2, 2]) }), "y");
    await s.release();
    // row [1,1]: (1+2, 3+4, 5+6) + b ; row [2,-1]: (0, 2, 4) + b
    expect(Array.from(y)).toEqual([3.5, 6, 13, 0.5, 1, 6]);
  });

  it("threshold 0 puts every initializer in model.onnx_data with valid offsets", async () => {
    const { g } = linearModel();
    const r = g.save(`${tmp.dir}/external`, { externalDataThresholdBytes: 0 });
    expect(r.externalDataPath).toBeDefined();
    expect(existsSync(r.externalDataPath as string)).toBe(true);
    expect(r.externalDataSizeBytes).toBe(statSync(r.externalDataPath as string).size);
    expect(r.externalDataSizeBytes).toBeGreaterThanOrEqual(9 * 4);
    const s = await createSession(r.onnxPath);
    const y = outputF32(await s.run({ x: tensorF32(Float32Array.from([1, 1]), [1, 2]) }), "y");
    await s.release();
    expect(Array.from(y)).toEqual([3.5, 6, 13]);
  });

  it("an external-data BERT (all weights external) matches the reference", async () => {
    const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny bert");
    const weights = bertArchitecture.syntheticWeights(cfg, seeded("writer-bert"));
    const batch = paddedBatch(seeded("writer-batch"), cfg.vocabSize, cfg.padTokenId, [6, 2], 6);
    const built = await bertArchitecture.buildOnnx(cfg, weights, `${tmp.dir}/bert-ext`, {
      fused: false,
      externalDataThresholdBytes: 0,
    });
    expect(built.externalDataSizeBytes).toBeGreaterThan(4 * cfg.vocabSize * cfg.hiddenSize);
    const inline = await bertArchitecture.buildOnnx(cfg, weights, `${tmp.dir}/bert-inline`, { fused: false });
    expect(inline.externalDataPath).toBeUndefined();
    expect(inline.onnxSizeBytes - built.onnxSizeBytes).toBeGreaterThanOrEqual(
      4 * cfg.vocabSize * cfg.hiddenSize,
    );
    const s = await createSession(built.onnxPath);
    const logits = outputF32(await s.run(feedsOf(batch, true)), "logits");
    await s.release();
    const ref = bertReferenceLogits(cfg, weights, batch);
    for (let b = 0; b < 2; b++)
      for (let l = 0; l < cfg.numLabels; l++) expect(logits[b * cfg.numLabels + l]).toBeCloseTo(ref[b][l], 4);
  });

  it("rejects a duplicate initializer name and a non-integer int attribute", () => {
    const g = new GraphBuilder("bad");
    g.initializer("a", new Float32Array(1), [1]);
    expect(() => g.initializer("a", new Float32Array(1), [1])).toThrow(/initializer a defined twice/);
    expect(() => g.op("LayerNormalization", ["x"], { epsilon: 1e-5 })).toThrow(
      /epsilon: 0.00001 is not an integer/,
    );
  });
});

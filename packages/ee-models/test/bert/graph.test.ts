import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../../src/bert/architecture.js";
import { readEncoderOnnxWeights } from "../../src/bert/onnx-weights.js";
import { bertReferenceLogits } from "../../src/bert/reference.js";
import { createSession, outputF32 } from "../../src/engines/onnxruntime/runtime.js";
import { feedsOf, paddedBatch, seeded, tempDir, tinyEncoderJson } from "../fixtures.js";

const tmp = tempDir("bert-graph");
afterAll(() => tmp.cleanup());

describe("BERT ONNX graph vs float64 reference", () => {
  const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny bert");
  const weights = bertArchitecture.syntheticWeights(cfg, seeded("bert-graph"));
  const batch = paddedBatch(seeded("bert-batch"), cfg.vocabSize, cfg.padTokenId, [9, 5, 1], 9);
  const ref = bertReferenceLogits(cfg, weights, batch);

  for (const fused of [false, true]) {
    it(`${fused ? "fused" : "plain"} graph: logits match to 1e-4 on a padded batch`, async () => {
      const out = `${tmp.dir}/${fused ? "fused" : "plain"}`;
      const built = await bertArchitecture.buildOnnx(cfg, weights, out, { fused });
      expect(built.inputNames).toEqual(["input_ids", "attention_mask", "token_type_ids"]);
      expect(built.outputNames).toEqual(["logits"]);
      if (fused) expect(built.opCounts["com.microsoft::Attention"]).toBe(cfg.numLayers);
      const s = await createSession(built.onnxPath);
      const logits = outputF32(await s.run(feedsOf(batch, true)), "logits");
      await s.release();
      expect(logits.length).toBe(3 * cfg.numLabels);
      for (let b = 0; b < 3; b++) {
        for (let l = 0; l < cfg.numLabels; l++)
          expect(logits[b * cfg.numLabels + l]).toBeCloseTo(ref[b][l], 4);
      }
      // The rows differ: the test would notice a graph that ignores its inputs.
      expect(Math.abs(ref[0][0] - ref[1][0]) + Math.abs(ref[1][1] - ref[2][1])).toBeGreaterThan(1e-3);
    });
  }

  it("padding does not change a sequence's logits", () => {
    const short = {
      inputIds: [batch.inputIds[1].slice(0, 5)],
      attentionMask: [[1, 1, 1, 1, 1]],
      tokenTypeIds: [batch.tokenTypeIds![1].slice(0, 5)],
    };
    const alone = bertReferenceLogits(cfg, weights, short)[0];
    for (let l = 0; l < cfg.numLabels; l++) expect(alone[l]).toBeCloseTo(ref[1][l], 10);
  });

  it("readEncoderOnnxWeights gives the checkpoint back bit for bit (Linear weights stored transposed)", async () => {
    const built = await bertArchitecture.buildOnnx(cfg, weights, `${tmp.dir}/readback`, { fused: false });
    const shapes = new Map([...weights].map(([n, t]) => [n, t.shape] as const));
    const back = readEncoderOnnxWeights(built.onnxPath, shapes);
    expect([...back.keys()]).toEqual([...weights.keys()]);
    for (const [name, t] of weights) {
      const b = back.get(name);
      expect(b?.shape, name).toEqual(t.shape);
      expect(Array.from(b?.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
    }
    // a fused build packs Q, K and V under another name: refused with the reason
    const fused = await bertArchitecture.buildOnnx(cfg, weights, `${tmp.dir}/readback-fused`, {
      fused: true,
    });
    expect(() => readEncoderOnnxWeights(fused.onnxPath, shapes)).toThrow(/rebuild without --fused/);
  });
});

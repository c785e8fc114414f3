import { afterAll, describe, expect, it } from "vitest";
import { createSession, outputF32 } from "../../src/engines/onnxruntime/runtime.js";
import { robertaArchitecture } from "../../src/roberta/architecture.js";
import { robertaReferenceLogits } from "../../src/roberta/reference.js";
import { feedsOf, paddedBatch, seeded, tempDir, tinyEncoderJson } from "../fixtures.js";

const tmp = tempDir("roberta-graph");
afterAll(() => tmp.cleanup());

describe("RoBERTa ONNX graph vs float64 reference", () => {
  const cfg = robertaArchitecture.parseConfig(tinyEncoderJson("roberta"), "tiny roberta");
  const weights = robertaArchitecture.syntheticWeights(cfg, seeded("roberta-graph"));
  const batch = paddedBatch(seeded("roberta-batch"), cfg.vocabSize, cfg.padTokenId, [8, 3, 6], 8);
  const ref = robertaReferenceLogits(cfg, weights, batch);

  for (const fused of [false, true]) {
    it(`${fused ? "fused" : "plain"} graph: logits match to 1e-4 on a padded batch`, async () => {
      const built = await robertaArchitecture.buildOnnx(cfg, weights, `${tmp.dir}/${fused}`, { fused });
      expect(built.inputNames).toEqual(["input_ids", "attention_mask"]);
      const s = await createSession(built.onnxPath);
      const logits = outputF32(await s.run(feedsOf(batch, false)), "logits");
      await s.release();
      for (let b = 0; b < 3; b++) {
        for (let l = 0; l < cfg.numLabels; l++)
          expect(logits[b * cfg.numLabels + l]).toBeCloseTo(ref[b][l], 4);
      }
    });
  }

  it("positions follow pad_token_id from the config (an encrypter may move the pad id)", async () => {
    // Same weights, pad id 5: positions of real tokens start at 6, so the logits must change
    // unless the graph reads the pad id from the config.
    const cfg5 = robertaArchitecture.parseConfig(
      tinyEncoderJson("roberta", { pad_token_id: 5 }),
      "tiny roberta pad 5",
    );
    const b5 = paddedBatch(seeded("roberta-batch-5"), cfg5.vocabSize, 5, [6, 2], 7);
    const ref5 = robertaReferenceLogits(cfg5, weights, b5);
    const built = await robertaArchitecture.buildOnnx(cfg5, weights, `${tmp.dir}/pad5`, { fused: false });
    const s = await createSession(built.onnxPath);
    const logits = outputF32(await s.run(feedsOf(b5, false)), "logits");
    await s.release();
    for (let b = 0; b < 2; b++) {
      for (let l = 0; l < cfg5.numLabels; l++)
        expect(logits[b * cfg5.numLabels + l]).toBeCloseTo(ref5[b][l], 4);
    }
    // …and the pad id matters: the same batch read with pad id 1 gives other logits.
    const asPad1 = robertaReferenceLogits(cfg, weights, b5);
    expect(Math.abs(asPad1[0][0] - ref5[0][0])).toBeGreaterThan(1e-4);
  });
});

import { describe, expect, it } from "vitest";
import { buildEncoderGraph } from "../src/bert/graph.js";
import { BERT_VARIANT, ROBERTA_VARIANT } from "../src/bert/variant.js";
import { GraphBuilder } from "../src/onnx/builder.js";
import { onnx } from "../src/onnx/proto.js";
import { architectureNames, getArchitecture } from "../src/registry.js";
import type { BertConfig } from "../src/types.js";
import { seeded, tinyEncoderJson } from "./fixtures.js";

describe("architecture registry", () => {
  it("holds bert and roberta by model_type and names unknown ones", () => {
    expect(architectureNames()).toEqual(expect.arrayContaining(["bert", "roberta"]));
    expect(getArchitecture("roberta").hfClass).toBe("RobertaForSequenceClassification");
    expect(() => getArchitecture("t5", "config.json: field model_type")).toThrow(
      'config.json: field model_type: unknown architecture "t5" (registered: bert, roberta',
    );
  });

  it("the graph does not depend on weight values (same bytes for two weight sets, plain and fused)", () => {
    for (const variant of [BERT_VARIANT, ROBERTA_VARIANT]) {
      const arch = getArchitecture<BertConfig>(variant.name);
      const cfg = arch.parseConfig(tinyEncoderJson(variant.name), "tiny");
      for (const fused of [false, true]) {
        const bytes = ["a", "b"].map((seed) => {
          const g = new GraphBuilder("g");
          buildEncoderGraph(g, variant, cfg, arch.syntheticWeights(cfg, seeded(seed)), { fused });
          return Buffer.from(onnx.ModelProto.encode(g.modelProto()).finish()).toString("hex");
        });
        expect(bytes[0]).toBe(bytes[1]);
      }
    }
  });

  it("synthetic weights follow HF init: N(0, initializer_range), LN gain 1, biases 0, pad row 0", () => {
    const arch = getArchitecture<BertConfig>("roberta");
    const cfg = arch.parseConfig(
      tinyEncoderJson("roberta", { initializer_range: 0.02, vocab_size: 400 }),
      "tiny",
    );
    const w = arch.syntheticWeights(cfg, seeded("init"));
    expect([...w.keys()]).toEqual([...arch.tensorShapes(cfg).keys()]);
    const E = w.get("roberta.embeddings.word_embeddings.weight")?.data as Float32Array;
    let ss = 0;
    for (let i = cfg.hiddenSize * 2; i < E.length; i++) ss += E[i] * E[i];
    expect(Math.sqrt(ss / (E.length - 2 * cfg.hiddenSize))).toBeCloseTo(0.02, 3);
    expect(Array.from(E.subarray(cfg.hiddenSize, 2 * cfg.hiddenSize)).every((v) => v === 0)).toBe(true); // pad id 1
    expect(
      Array.from(w.get("roberta.encoder.layer.0.output.LayerNorm.weight")?.data as Float32Array).every(
        (v) => v === 1,
      ),
    ).toBe(true);
    expect(Array.from(w.get("classifier.out_proj.bias")?.data as Float32Array).every((v) => v === 0)).toBe(
      true,
    );
    // each tensor from rng.derive(name): the same seed gives the same tensor regardless of config size elsewhere
    const w2 = arch.syntheticWeights(
      arch.parseConfig(
        tinyEncoderJson("roberta", { initializer_range: 0.02, vocab_size: 400, num_hidden_layers: 1 }),
        "t",
      ),
      seeded("init"),
    );
    expect(Array.from(w2.get("classifier.dense.weight")?.data as Float32Array)).toEqual(
      Array.from(w.get("classifier.dense.weight")?.data as Float32Array),
    );
  });
});

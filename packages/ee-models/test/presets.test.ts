import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bertArchitecture } from "../src/bert/architecture.js";
import { resolveDataDir } from "../src/data-dir.js";
import { getPreset, PRESETS } from "../src/presets.js";
import { getArchitecture } from "../src/registry.js";
import { robertaArchitecture } from "../src/roberta/architecture.js";
import type { BertConfig } from "../src/types.js";

const body = (c: BertConfig) => ({
  vocabSize: c.vocabSize,
  hiddenSize: c.hiddenSize,
  numLayers: c.numLayers,
  numHeads: c.numHeads,
  intermediateSize: c.intermediateSize,
  maxPositionEmbeddings: c.maxPositionEmbeddings,
  typeVocabSize: c.typeVocabSize,
  padTokenId: c.padTokenId,
  layerNormEps: c.layerNormEps,
  initializerRange: c.initializerRange,
});

describe("presets", () => {
  it("every preset parses with its architecture", () => {
    for (const p of PRESETS)
      expect(() => getArchitecture(p.arch).parseConfig(p.config, `preset ${p.name}`)).not.toThrow();
  });

  it("bert-base / sentiment-bert / roberta-base have the real hyper-parameters and label counts", () => {
    const bert = bertArchitecture.parseConfig(getPreset("bert-base").config, "bert-base");
    expect(body(bert)).toEqual({
      vocabSize: 30522,
      hiddenSize: 768,
      numLayers: 12,
      numHeads: 12,
      intermediateSize: 3072,
      maxPositionEmbeddings: 512,
      typeVocabSize: 2,
      padTokenId: 0,
      layerNormEps: 1e-12,
      initializerRange: 0.02,
    });
    expect(bert.numLabels).toBe(2);
    expect(bertArchitecture.parseConfig(getPreset("sentiment-bert").config, "s").numLabels).toBe(5);
    const rob = robertaArchitecture.parseConfig(getPreset("roberta-base").config, "roberta-base");
    expect(body(rob)).toMatchObject({
      vocabSize: 50265,
      maxPositionEmbeddings: 514,
      typeVocabSize: 1,
      padTokenId: 1,
      layerNormEps: 1e-5,
    });
  });

  it("the data dir's real config.json files give the presets' hyper-parameters", () => {
    const dir = resolveDataDir();
    for (const [preset, folder, arch] of [
      ["bert-base", "bert-base-uncased", bertArchitecture],
      ["roberta-base", "roberta-base", robertaArchitecture],
    ] as const) {
      const path = join(dir, "model_files", folder, "config.json");
      expect(existsSync(path)).toBe(true);
      const real = arch.parseConfig(JSON.parse(readFileSync(path, "utf8")), path);
      expect(body(real)).toEqual(body(arch.parseConfig(getPreset(preset).config, preset)));
    }
  });

  it("unknown preset and bad config fields are named", () => {
    expect(() => getPreset("bert-huge")).toThrow(/preset "bert-huge": unknown \(known: bert-base, /);
    expect(() => bertArchitecture.parseConfig({ model_type: "bert", hidden_size: "768" }, "my.json")).toThrow(
      'my.json: field hidden_size must be an integer ≥ 1, got "768"',
    );
    expect(() =>
      bertArchitecture.parseConfig({ model_type: "bert", hidden_size: 30, num_attention_heads: 4 }, "c.json"),
    ).toThrow("c.json: field hidden_size = 30 is not a multiple of num_attention_heads = 4");
    expect(() => bertArchitecture.parseConfig({ model_type: "bert", hidden_act: "relu" }, "c.json")).toThrow(
      'c.json: field hidden_act = "relu" is not supported',
    );
    expect(() => robertaArchitecture.parseConfig({ model_type: "bert" }, "c.json")).toThrow(
      'c.json: field model_type = "bert", expected "roberta"',
    );
  });
});

/** BERT for sequence classification, as a registry entry. */
import type { Architecture, BertConfig } from "../types.js";
import { encoderConfigJson, parseEncoderConfig } from "./config.js";
import { buildEncoderOnnx } from "./graph.js";
import { BERT_VARIANT, type EncoderVariant } from "./variant.js";
import { encoderSyntheticWeights, encoderTensorShapes } from "./weights.js";

/** An encoder-classifier architecture for `variant` (shared by BERT and RoBERTa). */
export function encoderArchitecture(variant: EncoderVariant): Architecture<BertConfig> {
  return {
    name: variant.name,
    task: "sequence-classification",
    hfClass: variant.hfClass,
    parseConfig: (json, source) => parseEncoderConfig(variant, json, source),
    tensorShapes: (cfg) => encoderTensorShapes(variant, cfg),
    syntheticWeights: (cfg, rng) => encoderSyntheticWeights(variant, cfg, rng),
    buildOnnx: (cfg, weights, outDir, opts) => buildEncoderOnnx(variant, cfg, weights, outDir, opts),
    toConfigJson: (cfg) => encoderConfigJson(variant, cfg),
  };
}

/** `BertForSequenceClassification`. */
export const bertArchitecture: Architecture<BertConfig> = encoderArchitecture(BERT_VARIANT);

/**
 * BERT / RoBERTa tensor names and shapes (exact Hugging Face names of
 * `BertForSequenceClassification` / `RobertaForSequenceClassification`), and seeded synthetic
 * weights at HF's init scale.
 */
import type { RandomSource, StateDict, Tensor } from "ee-core";
import type { BertConfig } from "../types.js";
import type { EncoderVariant } from "./variant.js";

/** HF names of layer `i`'s tensors, relative to `<prefix>.encoder.layer.<i>.`. */
export const LAYER_LINEARS = [
  "attention.self.query",
  "attention.self.key",
  "attention.self.value",
  "attention.output.dense",
  "intermediate.dense",
  "output.dense",
] as const;

/** HF tensor names → shapes (Linear `[out, in]`), in checkpoint order. */
export function encoderTensorShapes(variant: EncoderVariant, cfg: BertConfig): Map<string, number[]> {
  const { hiddenSize: d, intermediateSize: I, numLabels: L } = cfg;
  const p = variant.prefix;
  const s = new Map<string, number[]>();
  s.set(`${p}.embeddings.word_embeddings.weight`, [cfg.vocabSize, d]);
  s.set(`${p}.embeddings.position_embeddings.weight`, [cfg.maxPositionEmbeddings, d]);
  s.set(`${p}.embeddings.token_type_embeddings.weight`, [cfg.typeVocabSize, d]);
  s.set(`${p}.embeddings.LayerNorm.weight`, [d]);
  s.set(`${p}.embeddings.LayerNorm.bias`, [d]);
  const linearShape: Record<(typeof LAYER_LINEARS)[number], [number, number]> = {
    "attention.self.query": [d, d],
    "attention.self.key": [d, d],
    "attention.self.value": [d, d],
    "attention.output.dense": [d, d],
    "intermediate.dense": [I, d],
    "output.dense": [d, I],
  };
  for (let i = 0; i < cfg.numLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    for (const name of LAYER_LINEARS) {
      s.set(`${l}.${name}.weight`, linearShape[name]);
      s.set(`${l}.${name}.bias`, [linearShape[name][0]]);
      if (name === "attention.output.dense") {
        s.set(`${l}.attention.output.LayerNorm.weight`, [d]);
        s.set(`${l}.attention.output.LayerNorm.bias`, [d]);
      }
    }
    s.set(`${l}.output.LayerNorm.weight`, [d]);
    s.set(`${l}.output.LayerNorm.bias`, [d]);
  }
  if (variant.head === "pooler") {
    s.set(`${p}.pooler.dense.weight`, [d, d]);
    s.set(`${p}.pooler.dense.bias`, [d]);
    s.set("classifier.weight", [L, d]);
    s.set("classifier.bias", [L]);
  } else {
    s.set("classifier.dense.weight", [d, d]);
    s.set("classifier.dense.bias", [d]);
    s.set("classifier.out_proj.weight", [L, d]);
    s.set("classifier.out_proj.bias", [L]);
  }
  return s;
}

/**
 * HF `_init_weights`: Linear and Embedding weights ~ N(0, initializer_range), biases 0, LayerNorm
 * gain 1 / bias 0, the embedding row of `padding_idx` zeroed. Each tensor from `rng.derive(name)`.
 */
export function encoderSyntheticWeights(
  variant: EncoderVariant,
  cfg: BertConfig,
  rng: RandomSource,
): StateDict {
  const sd: StateDict = new Map();
  for (const [name, shape] of encoderTensorShapes(variant, cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.includes("LayerNorm.weight")) data.fill(1);
    else if (name.endsWith(".weight")) rng.derive(name).fillGaussian(data, cfg.initializerRange);
    // nn.Embedding(padding_idx=pad) zeroes that row: word embeddings (both), positions (RoBERTa).
    const padRow =
      name.endsWith("word_embeddings.weight") ||
      (variant.positions === "padding-offset" && name.endsWith("position_embeddings.weight"));
    if (padRow) data.fill(0, cfg.padTokenId * cfg.hiddenSize, (cfg.padTokenId + 1) * cfg.hiddenSize);
    const t: Tensor = { dtype: "F32", shape: [...shape], data };
    sd.set(name, t);
  }
  return sd;
}

/**
 * BERT / RoBERTa config.json ↔ `BertConfig`. Field names and defaults are Hugging Face's
 * (`BertConfig`, `RobertaConfig`); only what the exported graph supports is accepted.
 */
import { asObject, expectOneOf, readInt, readPositive, readString } from "../config-json.js";
import type { BertConfig } from "../types.js";
import type { EncoderVariant } from "./variant.js";

/** Class names from `id2label` (`{"0": "NEGATIVE", …}`), or `LABEL_i` for `numLabels` classes. */
function readLabels(o: Record<string, unknown>, source: string): string[] {
  const id2label = o.id2label;
  if (id2label !== undefined) {
    const m = asObject(id2label, `${source}: field id2label`);
    const n = Object.keys(m).length;
    const labels: string[] = [];
    for (let i = 0; i < n; i++) {
      const v = m[String(i)];
      if (typeof v !== "string")
        throw new Error(
          `${source}: field id2label must map "0".."${n - 1}" to strings; key "${i}" is ${JSON.stringify(v)}`,
        );
      labels.push(v);
    }
    if (o.num_labels !== undefined && o.num_labels !== n) {
      throw new Error(
        `${source}: field num_labels = ${JSON.stringify(o.num_labels)} disagrees with id2label (${n} labels)`,
      );
    }
    return labels;
  }
  const n = readInt(o, "num_labels", source, 2);
  return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
}

/** Parse and validate a BERT/RoBERTa config.json for `variant`. */
export function parseEncoderConfig(variant: EncoderVariant, json: unknown, source: string): BertConfig {
  const o = asObject(json, source);
  const modelType = readString(o, "model_type", source, variant.name);
  if (modelType !== variant.name)
    throw new Error(`${source}: field model_type = ${JSON.stringify(modelType)}, expected "${variant.name}"`);
  expectOneOf(readString(o, "hidden_act", source, "gelu"), ["gelu"] as const, "hidden_act", source);
  expectOneOf(
    readString(o, "position_embedding_type", source, "absolute"),
    ["absolute"] as const,
    "position_embedding_type",
    source,
  );
  const hiddenSize = readInt(o, "hidden_size", source, 768);
  const numHeads = readInt(o, "num_attention_heads", source, 12);
  if (hiddenSize % numHeads !== 0) {
    throw new Error(
      `${source}: field hidden_size = ${hiddenSize} is not a multiple of num_attention_heads = ${numHeads}`,
    );
  }
  const id2label = readLabels(o, source);
  const cfg: BertConfig = {
    modelType: variant.name,
    vocabSize: readInt(o, "vocab_size", source, variant.name === "bert" ? 30522 : 50265),
    hiddenSize,
    numLayers: readInt(o, "num_hidden_layers", source, 12),
    numHeads,
    intermediateSize: readInt(o, "intermediate_size", source, 3072),
    maxPositionEmbeddings: readInt(o, "max_position_embeddings", source, 512),
    initializerRange: readPositive(o, "initializer_range", source, 0.02),
    typeVocabSize: readInt(o, "type_vocab_size", source, 2),
    padTokenId: readInt(o, "pad_token_id", source, variant.name === "bert" ? 0 : 1, 0),
    layerNormEps: readPositive(o, "layer_norm_eps", source, 1e-12),
    numLabels: id2label.length,
    id2label,
    raw: { ...o },
  };
  if (cfg.padTokenId >= cfg.vocabSize)
    throw new Error(
      `${source}: field pad_token_id = ${cfg.padTokenId} is outside the vocabulary (${cfg.vocabSize})`,
    );
  if (variant.positions === "padding-offset" && cfg.maxPositionEmbeddings <= cfg.padTokenId + 1) {
    throw new Error(
      `${source}: field max_position_embeddings = ${cfg.maxPositionEmbeddings} leaves no positions after padding_idx ${cfg.padTokenId}`,
    );
  }
  return cfg;
}

/** Longest input the config supports (tokens): RoBERTa loses `pad + 1` positions to its offset. */
export function maxSequenceLength(variant: EncoderVariant, cfg: BertConfig): number {
  return variant.positions === "padding-offset"
    ? cfg.maxPositionEmbeddings - cfg.padTokenId - 1
    : cfg.maxPositionEmbeddings;
}

/** config.json for `cfg` (HF keys; unknown keys of the source JSON kept). */
export function encoderConfigJson(variant: EncoderVariant, cfg: BertConfig): Record<string, unknown> {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  cfg.id2label.forEach((l, i) => {
    id2label[String(i)] = l;
    label2id[l] = i;
  });
  return {
    ...cfg.raw,
    architectures: [variant.hfClass],
    model_type: variant.name,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    intermediate_size: cfg.intermediateSize,
    max_position_embeddings: cfg.maxPositionEmbeddings,
    type_vocab_size: cfg.typeVocabSize,
    initializer_range: cfg.initializerRange,
    layer_norm_eps: cfg.layerNormEps,
    pad_token_id: cfg.padTokenId,
    hidden_act: "gelu",
    position_embedding_type: "absolute",
    num_labels: cfg.numLabels,
    id2label,
    label2id,
  };
}

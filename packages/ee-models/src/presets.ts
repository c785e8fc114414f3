/**
 * Named model recipes (a table): real Hugging Face hyper-parameters plus the tokenizer each uses.
 * BERT/RoBERTa rows are here; the Llama rows come from `llama/presets.ts`.
 */
import { llamaPresets } from "./llama/presets.js";
import type { Preset } from "./types.js";

/** bert-base-uncased body (HF config.json values). */
const bertBaseBody = {
  model_type: "bert",
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: "absolute",
};

/** roberta-base body (HF config.json values). */
const robertaBaseBody = {
  model_type: "roberta",
  vocab_size: 50265,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  max_position_embeddings: 514,
  type_vocab_size: 1,
  initializer_range: 0.02,
  layer_norm_eps: 1e-5,
  pad_token_id: 1,
  bos_token_id: 0,
  eos_token_id: 2,
  position_embedding_type: "absolute",
};

const binary = { id2label: { "0": "NEGATIVE", "1": "POSITIVE" } };
const fiveStar = {
  id2label: { "0": "1 star", "1": "2 stars", "2": "3 stars", "3": "4 stars", "4": "5 stars" },
};

/** The presets, by name. */
export const PRESETS: readonly Preset[] = [
  {
    name: "bert-base",
    arch: "bert",
    description: "bert-base-uncased body, 2-label classifier",
    config: { ...bertBaseBody, ...binary },
    tokenizer: "bert-base-uncased",
  },
  {
    name: "sentiment-bert",
    arch: "bert",
    description: "bert-base-uncased body, 5-label sentiment head",
    config: { ...bertBaseBody, ...fiveStar },
    tokenizer: "bert-base-uncased",
  },
  {
    name: "roberta-base",
    arch: "roberta",
    description: "roberta-base body, 2-label classifier",
    config: { ...robertaBaseBody, ...binary },
    tokenizer: "roberta-base",
  },
  {
    name: "bert-tiny",
    arch: "bert",
    description: "test model: 2 layers, d 32, 4 heads, real bert-base-uncased vocabulary",
    config: {
      ...bertBaseBody,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      max_position_embeddings: 64,
      ...binary,
    },
    tokenizer: "bert-base-uncased",
  },
  {
    name: "roberta-tiny",
    arch: "roberta",
    description: "test model: 2 layers, d 32, 4 heads, real roberta-base vocabulary",
    config: {
      ...robertaBaseBody,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      max_position_embeddings: 66,
      ...binary,
    },
    tokenizer: "roberta-base",
  },
  ...llamaPresets,
];

/** Names of all presets. */
export function presetNames(): string[] {
  return PRESETS.map((p) => p.name);
}

/** The preset called `name`, or an error listing the known ones. */
export function getPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`preset ${JSON.stringify(name)}: unknown (known: ${presetNames().join(", ")})`);
  return p;
}

/**
 * What Hugging Face's loader accepts besides the exact parameter names of each architecture's class
 * (`BertForSequenceClassification`, `RobertaForSequenceClassification`, `LlamaForCausalLM`), as a table:
 * - the base model's prefix (`bert.`, `roberta.`, `model.`) may be absent (a bare `BertModel` /
 *   `LlamaModel` checkpoint loaded into the class with a head: HF adds the prefix);
 * - old TF-era LayerNorm names `LayerNorm.gamma` / `LayerNorm.beta` mean `.weight` / `.bias`;
 * - tensors the class does not have are not loaded: pre-training heads (`cls.*`, RoBERTa's `lm_head.*`),
 *   an unused pooler (RoBERTa's classifier has none), buffers (`position_ids`, `rotary_emb.inv_freq`).
 * Any other unknown tensor is an error here (HF would only warn): it means the wrong architecture.
 */
import type { ArchName } from "../types.js";

/** How one architecture's checkpoints are named. */
export interface HfNaming {
  /** The base model's prefix in the class with a head (without the dot). */
  basePrefix: string;
  /** Tensors HF's class ignores on load (checked after prefix and gamma/beta mapping). */
  ignored: readonly RegExp[];
}

/** Buffers, not parameters: every architecture ignores them. */
const BUFFERS: readonly RegExp[] = [
  /(^|\.)position_ids$/,
  /(^|\.)rotary_emb\.inv_freq$/,
  /(^|\.)masked_bias$/,
  /(^|\.)attn\.bias$/,
];

/** The table, keyed by `model_type`. */
export const HF_NAMING: Readonly<Record<ArchName, HfNaming>> = {
  bert: { basePrefix: "bert", ignored: [...BUFFERS, /^cls\./] },
  roberta: { basePrefix: "roberta", ignored: [...BUFFERS, /^lm_head\./, /^roberta\.pooler\./] },
  llama: { basePrefix: "model", ignored: BUFFERS },
};

/** HF's rename of TF-era LayerNorm parameters (`LayerNorm.gamma` → `LayerNorm.weight`, `beta` → `bias`). */
export function fixLegacyName(name: string): string {
  if (name.endsWith("LayerNorm.gamma")) return `${name.slice(0, -"gamma".length)}weight`;
  if (name.endsWith("LayerNorm.beta")) return `${name.slice(0, -"beta".length)}bias`;
  return name;
}

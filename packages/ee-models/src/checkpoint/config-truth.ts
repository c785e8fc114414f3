/**
 * A checkpoint's own config.json is the truth about it. When a preset is also named, every
 * hyper-parameter the two parse to must agree; otherwise the build is refused, naming each differing
 * field (e.g. a Llama 3.0 checkpoint with the 3.1 preset differs in `rope_scaling` and
 * `max_position_embeddings`). Not compared: `initializer_range` (synthetic weights only), label
 * names (`id2label`; their count `num_labels` is compared) and keys the parser does not read.
 */
import type { ModelConfig } from "../types.js";

/** Parsed field → its config.json key, where the two names differ by more than camel/snake case. */
const JSON_KEYS: Record<string, string> = {
  numLayers: "num_hidden_layers",
  numHeads: "num_attention_heads",
  numKvHeads: "num_key_value_heads",
  eosTokenIds: "eos_token_id",
};

/** Parsed fields that say nothing about the weights' meaning. */
const NOT_COMPARED = new Set(["raw", "initializerRange", "id2label"]);

function jsonKey(field: string): string {
  return JSON_KEYS[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function show(v: unknown): string {
  return v === undefined ? "absent" : JSON.stringify(v);
}

/** `field: preset X, checkpoint Y` for every hyper-parameter on which the two configs differ. */
export function configConflicts(preset: ModelConfig, checkpoint: ModelConfig): string[] {
  const p = preset as unknown as Record<string, unknown>;
  const c = checkpoint as unknown as Record<string, unknown>;
  const fields = new Set([...Object.keys(p), ...Object.keys(c)]);
  const out: string[] = [];
  for (const f of fields) {
    if (NOT_COMPARED.has(f)) continue;
    if (JSON.stringify(p[f]) !== JSON.stringify(c[f]))
      out.push(`${jsonKey(f)}: preset ${show(p[f])}, checkpoint ${show(c[f])}`);
  }
  return out;
}

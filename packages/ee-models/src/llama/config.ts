/**
 * Llama configuration: parse a Hugging Face `LlamaConfig` config.json and compute RoPE's inverse
 * frequencies, including Llama 3.1's `rope_scaling.rope_type = "llama3"` (HF `modeling_rope_utils`).
 */
import type { ModelConfig } from "../types.js";

/** Llama 3.x frequency scaling (`rope_scaling` with `rope_type: "llama3"`). */
export interface Llama3RopeScaling {
  /** Always `"llama3"`. */
  ropeType: "llama3";
  /** Wavelengths longer than the low-frequency cutoff have their frequency divided by this (ratio). */
  factor: number;
  /** Low-frequency cutoff: wavelength `original / lowFreqFactor` (ratio). */
  lowFreqFactor: number;
  /** High-frequency cutoff: wavelength `original / highFreqFactor` (ratio). */
  highFreqFactor: number;
  /** Context length the model was pre-trained at (tokens). */
  originalMaxPositionEmbeddings: number;
}

/** A `LlamaForCausalLM` configuration (pre-RMSNorm, SwiGLU, RoPE, grouped-query attention). */
export interface LlamaConfig extends ModelConfig {
  /** Always `"llama"`. */
  modelType: "llama";
  /** Key/value heads; query heads are grouped `numHeads / numKvHeads` per KV head (heads). */
  numKvHeads: number;
  /** Width of one attention head d_h (features); HF default `hidden_size / num_attention_heads`. */
  headDim: number;
  /** RMSNorm epsilon (dimensionless). */
  rmsNormEps: number;
  /** RoPE base θ (dimensionless). */
  ropeTheta: number;
  /** Llama 3 frequency scaling, or null for plain RoPE. */
  ropeScaling: Llama3RopeScaling | null;
  /** True when the LM head shares the embedding matrix (no `lm_head.weight` tensor). */
  tieWordEmbeddings: boolean;
  /** Beginning-of-sequence token (token id), or null when the config has none. */
  bosTokenId: number | null;
  /** End-of-sequence tokens (token ids); generation stops on any of them. */
  eosTokenIds: number[];
}

type Json = Record<string, unknown>;

function fail(source: string, field: string, what: string): never {
  throw new Error(`${source}: field "${field}" ${what}`);
}

function posInt(j: Json, field: string, source: string, fallback?: number): number {
  const v = j[field] ?? fallback;
  if (v === undefined || v === null) fail(source, field, "is missing");
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) {
    fail(source, field, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function posNum(j: Json, field: string, source: string, fallback?: number): number {
  const v = j[field] ?? fallback;
  if (v === undefined || v === null) fail(source, field, "is missing");
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    fail(source, field, `must be a positive number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function tokenId(v: unknown, field: string, source: string, vocab: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v >= vocab) {
    fail(source, field, `must be a token id in [0, ${vocab}), got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseRopeScaling(v: unknown, source: string): Llama3RopeScaling | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "object" || Array.isArray(v)) fail(source, "rope_scaling", "must be an object or null");
  const r = v as Json;
  const type = r.rope_type ?? r.type;
  if (type === "default") return null;
  if (type !== "llama3") {
    fail(
      source,
      "rope_scaling.rope_type",
      `must be "llama3" or "default" (others are not supported), got ${JSON.stringify(type)}`,
    );
  }
  const s = `${source} rope_scaling`;
  const scaling: Llama3RopeScaling = {
    ropeType: "llama3",
    factor: posNum(r, "factor", s),
    lowFreqFactor: posNum(r, "low_freq_factor", s),
    highFreqFactor: posNum(r, "high_freq_factor", s),
    originalMaxPositionEmbeddings: posInt(r, "original_max_position_embeddings", s),
  };
  if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
    fail(
      source,
      "rope_scaling.high_freq_factor",
      `must exceed low_freq_factor (${scaling.lowFreqFactor}), got ${scaling.highFreqFactor}`,
    );
  }
  return scaling;
}

/** Validate a Hugging Face Llama config.json; errors name `source` and the field. */
export function parseLlamaConfig(json: unknown, source: string): LlamaConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`${source}: a Llama config must be a JSON object`);
  }
  const j = json as Json;
  if (j.model_type !== undefined && j.model_type !== "llama") {
    fail(source, "model_type", `must be "llama", got ${JSON.stringify(j.model_type)}`);
  }
  const hiddenSize = posInt(j, "hidden_size", source);
  const numHeads = posInt(j, "num_attention_heads", source);
  const numKvHeads = posInt(j, "num_key_value_heads", source, numHeads);
  if (numHeads % numKvHeads !== 0) {
    fail(source, "num_key_value_heads", `(${numKvHeads}) must divide num_attention_heads (${numHeads})`);
  }
  if (j.head_dim == null && hiddenSize % numHeads !== 0) {
    fail(
      source,
      "hidden_size",
      `(${hiddenSize}) must be divisible by num_attention_heads (${numHeads}) when head_dim is absent`,
    );
  }
  const headDim = posInt(j, "head_dim", source, hiddenSize / numHeads);
  if (headDim % 2 !== 0) fail(source, "head_dim", `must be even for RoPE, got ${headDim}`);
  for (const field of ["attention_bias", "mlp_bias"]) {
    if (j[field] !== undefined && j[field] !== false)
      fail(source, field, `must be false (biases are not supported), got ${JSON.stringify(j[field])}`);
  }
  const act = j.hidden_act ?? "silu";
  if (act !== "silu") fail(source, "hidden_act", `must be "silu", got ${JSON.stringify(act)}`);
  const prf = j.partial_rotary_factor;
  if (prf !== undefined && prf !== null && prf !== 1)
    fail(source, "partial_rotary_factor", `must be 1, got ${JSON.stringify(prf)}`);
  const vocabSize = posInt(j, "vocab_size", source);
  const tie = j.tie_word_embeddings ?? false;
  if (typeof tie !== "boolean")
    fail(source, "tie_word_embeddings", `must be a boolean, got ${JSON.stringify(tie)}`);
  const bos = j.bos_token_id;
  const eos = j.eos_token_id;
  const eosList = eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos];
  return {
    modelType: "llama",
    vocabSize,
    hiddenSize,
    numLayers: posInt(j, "num_hidden_layers", source),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: posInt(j, "intermediate_size", source),
    maxPositionEmbeddings: posInt(j, "max_position_embeddings", source),
    initializerRange: posNum(j, "initializer_range", source, 0.02),
    rmsNormEps: posNum(j, "rms_norm_eps", source, 1e-6),
    ropeTheta: posNum(j, "rope_theta", source, 10000),
    ropeScaling: parseRopeScaling(j.rope_scaling, source),
    tieWordEmbeddings: tie,
    bosTokenId: bos === undefined || bos === null ? null : tokenId(bos, "bos_token_id", source, vocabSize),
    eosTokenIds: eosList.map((e, i) =>
      tokenId(e, Array.isArray(eos) ? `eos_token_id[${i}]` : "eos_token_id", source, vocabSize),
    ),
    raw: { ...j },
  };
}

/** The HF config.json of a Llama config (unknown keys of `raw` kept, known keys rewritten). */
export function llamaConfigToJson(cfg: LlamaConfig): Record<string, unknown> {
  const s = cfg.ropeScaling;
  return {
    ...cfg.raw,
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    hidden_act: "silu",
    max_position_embeddings: cfg.maxPositionEmbeddings,
    initializer_range: cfg.initializerRange,
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling:
      s === null
        ? null
        : {
            rope_type: "llama3",
            factor: s.factor,
            low_freq_factor: s.lowFreqFactor,
            high_freq_factor: s.highFreqFactor,
            original_max_position_embeddings: s.originalMaxPositionEmbeddings,
          },
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : [...cfg.eosTokenIds],
  };
}

/**
 * RoPE inverse frequencies `[headDim / 2]` (radians per position), float64.
 *
 * Default: `θ^(-2j/d_h)`. With llama3 scaling (HF `_compute_llama3_parameters`), with wavelength
 * `λ_j = 2π / f_j`, `L = original_max_position_embeddings`:
 * - `λ_j < L / high_freq_factor` (high frequency): unchanged;
 * - `λ_j > L / low_freq_factor` (low frequency): `f_j / factor`;
 * - in between: `(1 − s) f_j / factor + s f_j` with `s = (L / λ_j − low) / (high − low)`.
 * The attention scaling of llama3 is 1, so cos/sin are not rescaled.
 */
export function ropeInvFreq(cfg: Pick<LlamaConfig, "headDim" | "ropeTheta" | "ropeScaling">): Float64Array {
  const half = cfg.headDim / 2;
  const out = new Float64Array(half);
  for (let j = 0; j < half; j++) out[j] = 1 / cfg.ropeTheta ** ((2 * j) / cfg.headDim);
  const s = cfg.ropeScaling;
  if (s === null) return out;
  const L = s.originalMaxPositionEmbeddings;
  const lowFreqWavelen = L / s.lowFreqFactor;
  const highFreqWavelen = L / s.highFreqFactor;
  for (let j = 0; j < half; j++) {
    const f = out[j];
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highFreqWavelen) continue;
    if (wavelen > lowFreqWavelen) {
      out[j] = f / s.factor;
      continue;
    }
    const smooth = (L / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    out[j] = ((1 - smooth) * f) / s.factor + smooth * f;
  }
  return out;
}

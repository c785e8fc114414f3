/**
 * Llama tensors with Hugging Face `LlamaForCausalLM` names and layouts (Linear weights `[out, in]`),
 * and seeded synthetic weights at HF's init scale.
 */
import type { RandomSource, StateDict, Tensor } from "ee-core";
import type { LlamaConfig } from "./config.js";

/** HF tensor names of one decoder layer. */
export function llamaLayerNames(i: number): {
  /** RMSNorm gain before attention `[d]`. */
  inputNorm: string;
  /** Query projection `[H·d_h, d]`. */
  q: string;
  /** Key projection `[G·d_h, d]`. */
  k: string;
  /** Value projection `[G·d_h, d]`. */
  v: string;
  /** Attention output projection `[d, H·d_h]`. */
  o: string;
  /** RMSNorm gain before the MLP `[d]`. */
  postNorm: string;
  /** SwiGLU gate projection `[f, d]`. */
  gate: string;
  /** SwiGLU up projection `[f, d]`. */
  up: string;
  /** SwiGLU down projection `[d, f]`. */
  down: string;
} {
  const p = `model.layers.${i}`;
  return {
    inputNorm: `${p}.input_layernorm.weight`,
    q: `${p}.self_attn.q_proj.weight`,
    k: `${p}.self_attn.k_proj.weight`,
    v: `${p}.self_attn.v_proj.weight`,
    o: `${p}.self_attn.o_proj.weight`,
    postNorm: `${p}.post_attention_layernorm.weight`,
    gate: `${p}.mlp.gate_proj.weight`,
    up: `${p}.mlp.up_proj.weight`,
    down: `${p}.mlp.down_proj.weight`,
  };
}

/** Embedding table name `[V, d]`. */
export const LLAMA_EMBED = "model.embed_tokens.weight";
/** Final RMSNorm gain `[d]`. */
export const LLAMA_FINAL_NORM = "model.norm.weight";
/** Untied LM head `[V, d]` (absent when `tie_word_embeddings`). */
export const LLAMA_LM_HEAD = "lm_head.weight";

/** HF tensor names → HF-layout shapes, in checkpoint order. `lm_head.weight` only when untied. */
export function llamaTensorShapes(cfg: LlamaConfig): Map<string, number[]> {
  const d = cfg.hiddenSize;
  const qDim = cfg.numHeads * cfg.headDim;
  const kvDim = cfg.numKvHeads * cfg.headDim;
  const f = cfg.intermediateSize;
  const shapes = new Map<string, number[]>();
  shapes.set(LLAMA_EMBED, [cfg.vocabSize, d]);
  for (let i = 0; i < cfg.numLayers; i++) {
    const n = llamaLayerNames(i);
    shapes.set(n.q, [qDim, d]);
    shapes.set(n.k, [kvDim, d]);
    shapes.set(n.v, [kvDim, d]);
    shapes.set(n.o, [d, qDim]);
    shapes.set(n.gate, [f, d]);
    shapes.set(n.up, [f, d]);
    shapes.set(n.down, [d, f]);
    shapes.set(n.inputNorm, [d]);
    shapes.set(n.postNorm, [d]);
  }
  shapes.set(LLAMA_FINAL_NORM, [d]);
  if (!cfg.tieWordEmbeddings) shapes.set(LLAMA_LM_HEAD, [cfg.vocabSize, d]);
  return shapes;
}

/** Options of `llamaSyntheticWeights`. */
export interface LlamaSyntheticOptions {
  /**
   * Standard deviation of random RMSNorm gains `1 + gainStd·N(0,1)` (dimensionless); 0 (default,
   * HF init) gives gains of exactly 1. Nonzero exercises an encrypter's gain folding.
   */
  gainStd?: number;
}

/**
 * HF init: every matrix N(0, initializer_range), RMSNorm gains 1 (or `1 + gainStd·N`); each tensor
 * drawn from `rng.derive(name)`, so its values do not depend on the other tensors.
 */
export function llamaSyntheticWeights(
  cfg: LlamaConfig,
  rng: RandomSource,
  opts: LlamaSyntheticOptions = {},
): StateDict {
  const gainStd = opts.gainStd ?? 0;
  if (!Number.isFinite(gainStd) || gainStd < 0)
    throw new Error(`llamaSyntheticWeights: gainStd must be finite and >= 0, got ${gainStd}`);
  const out: StateDict = new Map();
  for (const [name, shape] of llamaTensorShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const r = rng.derive(name);
    if (shape.length === 1) {
      if (gainStd === 0) data.fill(1);
      else {
        r.fillGaussian(data, gainStd);
        for (let i = 0; i < n; i++) data[i] += 1;
      }
    } else {
      r.fillGaussian(data, cfg.initializerRange);
    }
    const t: Tensor = { dtype: "F32", shape: [...shape], data };
    out.set(name, t);
  }
  return out;
}

/** Checks that `weights` holds exactly the tensors of `cfg` with the right shapes; errors name the tensor. */
export function checkLlamaWeights(cfg: LlamaConfig, weights: StateDict, source = "weights"): void {
  const shapes = llamaTensorShapes(cfg);
  for (const [name, shape] of shapes) {
    const t = weights.get(name);
    if (!t) throw new Error(`${source}: missing tensor "${name}" (expected shape [${shape.join(", ")}])`);
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
      throw new Error(
        `${source}: tensor "${name}" has shape [${t.shape.join(", ")}], expected [${shape.join(", ")}]`,
      );
    }
    if (!(t.data instanceof Float32Array))
      throw new Error(
        `${source}: tensor "${name}" must hold Float32Array data (got ${t.data.constructor.name})`,
      );
  }
  for (const name of weights.keys()) {
    if (!shapes.has(name)) {
      const hint = name === LLAMA_LM_HEAD ? " (config has tie_word_embeddings: true)" : "";
      throw new Error(`${source}: unexpected tensor "${name}"${hint}`);
    }
  }
}

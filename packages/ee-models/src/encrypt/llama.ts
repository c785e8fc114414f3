/**
 * Llama encrypter (docs/design.md §4.1, §4.3). Row vectors, `y = x W + b`; HF weights `[out, in]` hold `Wᵀ`.
 *
 * `vocab`: embedding rows and LM-head rows (HF layout; columns of W_lm) move by π.
 * `full` adds:
 * - RMSNorm gains g folded into their readers (`W ← diag(g) W`), gains set to 1;
 * - residual basis Q (Haar, or A ⊗ B under `full-kron`: `residual-basis.ts`): writers `E ← E Q`, `W_o ← W_o Q`, `W_down ← W_down Q`; readers
 *   `W ← Qᵀ W` for q, k, v, gate, up and the LM head (emitted untied: `tie_word_embeddings: false`);
 * - per KV head g and RoPE pair j (dims j, j + d_h/2): query side `s_j R_j`, key side `R_j / s_j`
 *   (`R_j` a 2×2 rotation, which commutes with RoPE's rotation; `s_j > 0`), shared by g's query heads;
 * - KV heads permuted by κ carrying their query groups, query heads inside a group by ρ_g;
 * - per KV head an invertible B_g: `W_v,g ← W_v,g B_g`, and for each query head h of g
 *   `W_o,h ← B_g^{-1} W_o,h`, so the KV cache lives in the secret basis;
 * - FFN neurons permuted by φ (gate, up, down alike); up's outputs scaled by c ≠ 0, undone in down.
 *
 * Residual products (Q against every reader/writer, the embedding and the LM head) run in the default
 * engine's runtime (`residual-basis.ts`, `matmul.ts`). Tensors are encrypted one at a time in checkpoint order, layer by layer;
 * with `consumeInput` each plain tensor is dropped once used.
 */
import {
  type EEKey,
  type Permutation,
  type RandomSource,
  randomPermutation,
  rotation2x2,
  type StateDict,
  type Tensor,
} from "ee-core";
import type { LlamaConfig } from "../llama/config.js";
import { LLAMA_EMBED, LLAMA_FINAL_NORM, LLAMA_LM_HEAD } from "../llama/weights.js";
import { addFloatComponent, addInvertibleBlocks, addPermutation, newKey } from "./key-build.js";
import { hasComponent, keyFloats, keyInvertibleBlocks, keyPermutation } from "./key-parts.js";
import { addResidualBasis, RESIDUAL_KEY, type ResidualBasis, residualBasis } from "./residual-basis.js";
import { type ApplyRulesOptions, applyRules, type TensorRule } from "./rules.js";
import type { Scheme } from "./schemes.js";
import {
  expandBlockPermutation,
  f32Data,
  leftMultiplyInputBlocks,
  onesLike,
  rightMultiplyOutputBlocksInPlace,
  scaleRowsInPlace,
  scaleThenScatterCols,
  scatterAxis,
  scatterRowsInPlace,
} from "./tensor-ops.js";
import { drawVocabPermutation, encryptSpecialIds, VOCAB_PERM } from "./vocab.js";

/** Key component names of the Llama `full` scheme. */
export const LLAMA_KEY = {
  /** Residual-stream rotation Q `[d, d]` (orthogonal); a Kronecker basis holds its factors instead (`RESIDUAL_KEY`). */
  residual: RESIDUAL_KEY.dense,
  /** KV-head permutation κ of layer i `[G]`. */
  kvPerm: (i: number) => `layers.${i}.heads.kv_perm`,
  /** In-group query-head permutations ρ_g of layer i `[G, H/G]` (row g for plain KV head g). */
  qPerm: (i: number) => `layers.${i}.heads.q_perm`,
  /** RoPE-pair rotations R_j of layer i `[G·d_h/2, 2, 2]` (row-major 2×2 blocks, plain KV head major). */
  ropeRot: (i: number) => `layers.${i}.attn.rope_rot`,
  /** RoPE-pair query scales s_j of layer i `[G, d_h/2]` (key side gets 1/s_j). */
  ropeScales: (i: number) => `layers.${i}.attn.rope_scales`,
  /** Value/output invertibles B_g of layer i `[G, d_h, d_h]` (plain KV head order). */
  vo: (i: number) => `layers.${i}.attn.vo`,
  /** FFN neuron permutation φ of layer i `[I]`. */
  ffnPerm: (i: number) => `layers.${i}.ffn.perm`,
  /** FFN up-projection output scales c of layer i `[I]` (plain neuron order; nonzero, either sign). */
  ffnScales: (i: number) => `layers.${i}.ffn.scales`,
} as const;

/** Log-uniform magnitudes in [0.5, 2] (dimensionless), optionally with random signs. */
function randomScales(n: number, rng: RandomSource, signed: boolean): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mag = Math.exp(Math.log(0.5) + Math.log(4) * rng.float());
    out[i] = signed && rng.uint32() & 1 ? -mag : mag;
  }
  return out;
}

/** Draws the secrets of `scheme` for `cfg` (each from its own derived stream). */
export function makeLlamaKey(cfg: LlamaConfig, scheme: Scheme, rng: RandomSource): EEKey {
  const key = newKey(cfg, scheme, rng);
  key.meta.tieWordEmbeddings = String(cfg.tieWordEmbeddings);
  if (scheme.vocab)
    addPermutation(key, VOCAB_PERM, drawVocabPermutation(scheme, cfg.vocabSize, rng.derive(VOCAB_PERM)));
  if (!scheme.hidden) return key;
  const d = cfg.hiddenSize;
  const G = cfg.numKvHeads;
  const r = cfg.numHeads / G;
  const dh = cfg.headDim;
  const half = dh / 2;
  addResidualBasis(key, scheme.residualBasis, d, rng);
  for (let i = 0; i < cfg.numLayers; i++) {
    addPermutation(key, LLAMA_KEY.kvPerm(i), randomPermutation(G, rng.derive(LLAMA_KEY.kvPerm(i))));
    const qRng = rng.derive(LLAMA_KEY.qPerm(i));
    const qPerm = new Int32Array(G * r);
    for (let g = 0; g < G; g++) qPerm.set(randomPermutation(r, qRng), g * r);
    addPermutation(key, LLAMA_KEY.qPerm(i), qPerm, G);
    const rotRng = rng.derive(LLAMA_KEY.ropeRot(i));
    const rot = new Float64Array(G * half * 4);
    for (let p = 0; p < G * half; p++) rot.set(rotation2x2(2 * Math.PI * rotRng.float()), p * 4);
    addFloatComponent(key, LLAMA_KEY.ropeRot(i), "orthogonal", [G * half, 2, 2], rot);
    const ropeScales = randomScales(G * half, rng.derive(LLAMA_KEY.ropeScales(i)), false);
    addFloatComponent(key, LLAMA_KEY.ropeScales(i), "scales", [G, half], ropeScales);
    addInvertibleBlocks(key, LLAMA_KEY.vo(i), G, dh, rng.derive(LLAMA_KEY.vo(i)));
    const I = cfg.intermediateSize;
    addPermutation(key, LLAMA_KEY.ffnPerm(i), randomPermutation(I, rng.derive(LLAMA_KEY.ffnPerm(i))));
    addFloatComponent(
      key,
      LLAMA_KEY.ffnScales(i),
      "scales",
      [I],
      randomScales(I, rng.derive(LLAMA_KEY.ffnScales(i)), true),
    );
  }
  return key;
}

/** The secrets of one layer, in the form the transforms use. */
interface LayerSecrets {
  /** Query-head permutation (κ with ρ_g) over the H heads. */
  qHeadPerm: Permutation;
  /** Query-head permutation (κ with ρ_g) expanded to the H·d_h features. */
  qFeatures: Permutation;
  /** KV-head permutation κ expanded to the G·d_h features. */
  kvFeatures: Permutation;
  /** Query-side blocks `[H, d_h, d_h]`: head h gets its group's `⊕_j s_j R_j`. */
  qBlocks: Float64Array;
  /** Key-side blocks `[G, d_h, d_h]`: `⊕_j R_j / s_j`. */
  kBlocks: Float64Array;
  /** B_g `[G, d_h, d_h]`. */
  vBlocks: Float64Array;
  /** B_g^{-1} for each query head h of group g `[H, d_h, d_h]`. */
  oBlocks: Float64Array;
  /** φ `[I]`. */
  ffnPerm: Permutation;
  /** c `[I]`. */
  ffnScales: Float64Array;
  /** 1 / c `[I]`. */
  ffnInvScales: Float64Array;
}

function layerSecrets(cfg: LlamaConfig, key: EEKey, i: number): LayerSecrets {
  const G = cfg.numKvHeads;
  const H = cfg.numHeads;
  const r = H / G;
  const dh = cfg.headDim;
  const half = dh / 2;
  const kappa = keyPermutation(key, LLAMA_KEY.kvPerm(i), [G]);
  const rho = keyPermutation(key, LLAMA_KEY.qPerm(i), [G, r]);
  const rot = keyFloats(key, LLAMA_KEY.ropeRot(i), "orthogonal", [G * half, 2, 2]);
  const s = keyFloats(key, LLAMA_KEY.ropeScales(i), "scales", [G, half]);
  const vo = keyInvertibleBlocks(key, LLAMA_KEY.vo(i), G, dh);
  const qHeadPerm = new Int32Array(H);
  for (let g = 0; g < G; g++)
    for (let k = 0; k < r; k++) qHeadPerm[g * r + k] = kappa[g] * r + rho[g * r + k];
  // Pair blocks: in head coordinates, pair j couples dims (j, j + half); R = [[a, b], [c, e]].
  const pairBlock = (out: Float64Array, off: number, g: number, key1: boolean) => {
    for (let j = 0; j < half; j++) {
      const p = (g * half + j) * 4;
      const f = key1 ? 1 / s[g * half + j] : s[g * half + j];
      out[off + j * dh + j] = f * rot[p];
      out[off + j * dh + j + half] = f * rot[p + 1];
      out[off + (j + half) * dh + j] = f * rot[p + 2];
      out[off + (j + half) * dh + j + half] = f * rot[p + 3];
    }
  };
  const n = dh * dh;
  const qBlocks = new Float64Array(H * n);
  const kBlocks = new Float64Array(G * n);
  const oBlocks = new Float64Array(H * n);
  for (let g = 0; g < G; g++) {
    pairBlock(kBlocks, g * n, g, true);
    for (let k = 0; k < r; k++) {
      const h = g * r + k;
      pairBlock(qBlocks, h * n, g, false);
      oBlocks.set(vo.inverse.subarray(g * n, (g + 1) * n), h * n);
    }
  }
  const ffnScales = keyFloats(key, LLAMA_KEY.ffnScales(i), "scales", [cfg.intermediateSize]);
  return {
    qHeadPerm,
    qFeatures: expandBlockPermutation(qHeadPerm, dh),
    kvFeatures: expandBlockPermutation(kappa, dh),
    qBlocks,
    kBlocks,
    vBlocks: vo.matrix,
    oBlocks,
    ffnPerm: keyPermutation(key, LLAMA_KEY.ffnPerm(i), [cfg.intermediateSize]),
    ffnScales,
    ffnInvScales: ffnScales.map((c) => 1 / c),
  };
}

/** Encrypt `cfg` and `weights` (HF names of `LlamaForCausalLM`) with `key`. */
export async function applyLlamaKey(
  cfg: LlamaConfig,
  weights: StateDict,
  key: EEKey,
  full: boolean,
  opts: ApplyRulesOptions,
): Promise<{ cfg: LlamaConfig; weights: StateDict }> {
  const d = cfg.hiddenSize;
  const dh = cfg.headDim;
  const V = cfg.vocabSize;
  const vocab = hasComponent(key, VOCAB_PERM) ? keyPermutation(key, VOCAB_PERM, [V]) : null;

  // RMSNorm gains, copied before any tensor is consumed (readers need them; checkpoint order puts
  // a layer's norms after its linears).
  const gains = new Map<string, Float64Array>();
  if (full) {
    for (const [name, t] of weights) {
      if (/(_layernorm|^model\.norm)\.weight$/.test(name))
        gains.set(name, Float64Array.from(f32Data(t, name)));
    }
  }
  const gain = (name: string): Float64Array => {
    const g = gains.get(name);
    if (g === undefined)
      throw new Error(`encrypt (${opts.label}): RMSNorm gain '${name}' is missing from the weights`);
    return g;
  };
  const basis = full ? residualBasis(key, d) : null;
  const Q = (): ResidualBasis => {
    if (basis === null)
      throw new Error(`encrypt (${opts.label}): only hidden schemes use the residual basis`);
    return basis;
  };

  const consumed = opts.consumeInput === true;
  /**
   * Reader `[out, d]`: `W ← Qᵀ diag(g) W`, i.e. HF `weight · (diag(g) Q)`; a new array the rules own.
   * A consumed input's array may serve as scratch (`mayOverwrite`) unless another rule still reads it.
   */
  const reader = async (t: Tensor, gainName: string, n: string, mayOverwrite = consumed): Promise<Tensor> => {
    const rows = t.shape[0];
    const data = await Q().rightScaled(f32Data(t, n), rows, gainName, gain(gainName), mayOverwrite);
    return { dtype: "F32", shape: [rows, d], data };
  };
  /** Writer `[d, in]`: `W ← W Q`, i.e. HF `Qᵀ · weight`. */
  const writer = async (t: Tensor, n: string): Promise<Tensor> => {
    const cols = t.shape[1];
    const data = await Q().leftTransposed(f32Data(t, n), cols);
    return { dtype: "F32", shape: [d, cols], data };
  };
  /** Rows by π: in place on arrays the rules own (or the consumed input), else a copy. */
  const byVocab = (t: Tensor, n: string, owned: boolean) =>
    vocab === null ? t : owned ? scatterRowsInPlace(t, vocab, n) : scatterAxis(t, 0, vocab, n);
  const cache = new Map<number, LayerSecrets>();
  const layer = (i: number): LayerSecrets => {
    let s = cache.get(i);
    if (s === undefined) {
      cache.clear(); // layers are visited in order: keep one
      s = layerSecrets(cfg, key, i);
      cache.set(i, s);
    }
    return s;
  };
  const L = (i: number, part: string) => `model.layers.${i}.${part}`;
  let tiedHead: Tensor | null = null;

  const rules: TensorRule[] = [
    {
      // E [V, d]: E ← E Q, rows by π. A tied head is split off here: W_lm ← Qᵀ diag(g_final) W_lm.
      pattern: /^model\.embed_tokens\.weight$/,
      transform: async (t, _m, n) => {
        if (!full) return byVocab(t, n, consumed);
        if (cfg.tieWordEmbeddings)
          tiedHead = byVocab(await reader(t, LLAMA_FINAL_NORM, n, false), LLAMA_LM_HEAD, true); // E is read again below
        const eq = await Q().right(f32Data(t, n), V); // [V, d]
        return byVocab({ dtype: "F32", shape: [V, d], data: eq }, n, true);
      },
    },
    {
      // W_lm [V, d]: gain folded, Qᵀ, rows by π
      pattern: /^lm_head\.weight$/,
      transform: async (t, _m, n) =>
        full ? byVocab(await reader(t, LLAMA_FINAL_NORM, n), n, true) : byVocab(t, n, consumed),
    },
    {
      // RMSNorm gains → 1 (folded into the readers)
      pattern: /^(model\.layers\.\d+\.(input|post_attention)_layernorm|model\.norm)\.weight$/,
      transform: (t) => (full ? onesLike(t) : t),
    },
    {
      // W_q [H·d_h, d]: reader; head h ← its group's ⊕ s_j R_j; heads by (κ, ρ)
      pattern: /^model\.layers\.(\d+)\.self_attn\.q_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const i = Number(m[1]);
        const s = layer(i);
        const w = await reader(t, L(i, "input_layernorm.weight"), n);
        return scatterRowsInPlace(rightMultiplyOutputBlocksInPlace(w, s.qBlocks, dh, n), s.qFeatures, n);
      },
    },
    {
      // W_k [G·d_h, d]: reader; head g ← ⊕ R_j / s_j; heads by κ
      pattern: /^model\.layers\.(\d+)\.self_attn\.k_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const i = Number(m[1]);
        const s = layer(i);
        const w = await reader(t, L(i, "input_layernorm.weight"), n);
        return scatterRowsInPlace(rightMultiplyOutputBlocksInPlace(w, s.kBlocks, dh, n), s.kvFeatures, n);
      },
    },
    {
      // W_v [G·d_h, d]: reader; W_v,g ← W_v,g B_g; heads by κ
      pattern: /^model\.layers\.(\d+)\.self_attn\.v_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const i = Number(m[1]);
        const s = layer(i);
        const w = await reader(t, L(i, "input_layernorm.weight"), n);
        return scatterRowsInPlace(rightMultiplyOutputBlocksInPlace(w, s.vBlocks, dh, n), s.kvFeatures, n);
      },
    },
    {
      // W_o [d, H·d_h]: W_o,h ← B_g^{-1} W_o,h, input head h moved to (κ, ρ)(h); writer (W_o Q)
      pattern: /^model\.layers\.(\d+)\.self_attn\.o_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const s = layer(Number(m[1]));
        return writer(leftMultiplyInputBlocks(t, s.oBlocks, dh, n, s.qHeadPerm), n);
      },
    },
    {
      // W_gate [I, d]: reader; neurons by φ
      pattern: /^model\.layers\.(\d+)\.mlp\.gate_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const i = Number(m[1]);
        return scatterRowsInPlace(
          await reader(t, L(i, "post_attention_layernorm.weight"), n),
          layer(i).ffnPerm,
          n,
        );
      },
    },
    {
      // W_up [I, d]: reader; outputs scaled by c; neurons by φ
      pattern: /^model\.layers\.(\d+)\.mlp\.up_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const i = Number(m[1]);
        const s = layer(i);
        const w = await reader(t, L(i, "post_attention_layernorm.weight"), n);
        return scatterRowsInPlace(scaleRowsInPlace(w, s.ffnScales, n), s.ffnPerm, n);
      },
    },
    {
      // W_down [d, I]: inputs divided by c and moved by φ; writer (W_down Q)
      pattern: /^model\.layers\.(\d+)\.mlp\.down_proj\.weight$/,
      transform: async (t, m, n) => {
        if (!full) return t;
        const s = layer(Number(m[1]));
        return writer(scaleThenScatterCols(t, s.ffnInvScales, s.ffnPerm, n), n);
      },
    },
  ];

  const out = await applyRules(weights, rules, opts);
  if (tiedHead !== null) out.set(LLAMA_LM_HEAD, tiedHead);
  if (full && cfg.tieWordEmbeddings && !out.has(LLAMA_LM_HEAD)) {
    throw new Error(`encrypt (${opts.label}): tied LM head could not be split off (no '${LLAMA_EMBED}')`);
  }
  const raw = encryptSpecialIds(cfg.raw, vocab);
  const move = (id: number) => (vocab ? vocab[id] : id);
  const cfgOut: LlamaConfig = {
    ...cfg,
    tieWordEmbeddings: full ? false : cfg.tieWordEmbeddings,
    bosTokenId: cfg.bosTokenId === null ? null : move(cfg.bosTokenId),
    eosTokenIds: cfg.eosTokenIds.map(move),
    raw: { ...raw, tie_word_embeddings: full ? false : cfg.tieWordEmbeddings },
  };
  return { cfg: cfgOut, weights: out };
}

/**
 * BERT / RoBERTa encrypter (docs/design.md §4.1–4.2). Row vectors, `y = x W + b`; HF weights `[out, in]`.
 *
 * `vocab`: word-embedding rows move `E'[π(t)] = E[t]`.
 * `full` adds, with P the hidden permutation (x' = x P):
 * - every hidden axis permuted by P: embedding columns, LayerNorm γ/β, input columns of Q/K/V/FFN-in/
 *   pooler, output rows and biases of attention-output and FFN-out;
 * - per layer a head permutation σ; per head h: Q/K `W_q,h ← W_q,h A_h`, `W_k,h ← W_k,h A_h^{-T}` (biases
 *   alike), so `q kᵀ` is unchanged; V/O `W_v,h ← W_v,h B_h`, `W_o,h ← B_h^{-1} W_o,h`;
 * - a permutation φ of the FFN neurons (GELU is elementwise);
 * - pooler (BERT `bert.pooler.dense`, RoBERTa `classifier.dense`): outputs permuted by τ with signs s
 *   (tanh is odd), undone in the next layer's input columns;
 * - labels permuted by λ (classifier rows). With 2 labels that is a 1-bit secret: it hides which class
 *   is which from someone reading logits, nothing more.
 *
 * Special token ids in config.json (bos, eos, …) are rewritten to their encrypted ids. RoBERTa's pad id
 * is fixed by π (`π(pad) = pad`): HF RoBERTa uses `pad_token_id` both to find pads and as the position
 * offset, so it cannot be renamed (the server sees which positions are padding from the mask anyway).
 * BERT's π is uniform over all ids; its config's `pad_token_id` (unused by the graph) becomes `π(pad)`.
 */
import {
  type EEKey,
  type Permutation,
  type RandomSource,
  randomPermutation,
  type StateDict,
  type Tensor,
} from "ee-core";
import { ENCODER_VARIANTS } from "../bert/variant.js";
import type { BertConfig } from "../types.js";
import { addFloatComponent, addInvertibleBlocks, addPermutation, newKey } from "./key-build.js";
import {
  hasComponent,
  keyFloats,
  keyInvertibleBlocks,
  keyPermutation,
  transposeBlocks,
} from "./key-parts.js";
import { type ApplyRulesOptions, applyRules, type TensorRule } from "./rules.js";
import type { Scheme } from "./schemes.js";
import {
  expandBlockPermutation,
  leftMultiplyInputBlocks,
  ownedCopy,
  rightMultiplyOutputBlocksInPlace,
  scaleColsInPlace,
  scaleRowsInPlace,
  scatterColsInPlace,
  scatterRowsInPlace,
} from "./tensor-ops.js";
import { drawVocabPermutation, encryptSpecialIds, VOCAB_PERM } from "./vocab.js";

/** Key component names of the BERT/RoBERTa `full` scheme. */
export const BERT_KEY = {
  /** Hidden permutation P `[d]`. */
  hiddenPerm: "hidden.perm",
  /** Head permutation σ of layer i `[H]`. */
  headPerm: (i: number) => `layers.${i}.heads.perm`,
  /** Query/key invertibles A_h of layer i `[H, d_h, d_h]` (indexed by plain head). */
  qk: (i: number) => `layers.${i}.attn.qk`,
  /** Value/output invertibles B_h of layer i `[H, d_h, d_h]` (indexed by plain head). */
  vo: (i: number) => `layers.${i}.attn.vo`,
  /** FFN neuron permutation φ of layer i `[I]`. */
  ffnPerm: (i: number) => `layers.${i}.ffn.perm`,
  /** Pooler output permutation τ `[d]`. */
  poolerPerm: "pooler.perm",
  /** Pooler output signs s `[d]` (±1). */
  poolerSigns: "pooler.signs",
  /** Label permutation λ `[L]`. */
  labelPerm: "labels.perm",
} as const;

/** Draws the secrets of `scheme` for `cfg` (each from its own derived stream). */
export function makeBertKey(cfg: BertConfig, scheme: Scheme, rng: RandomSource): EEKey {
  const key = newKey(cfg, scheme, rng);
  key.meta.id2label = JSON.stringify(cfg.id2label);
  if (scheme.vocab) {
    const fixed = ENCODER_VARIANTS[cfg.modelType].positions === "padding-offset" ? [cfg.padTokenId] : [];
    addPermutation(
      key,
      VOCAB_PERM,
      drawVocabPermutation(scheme, cfg.vocabSize, rng.derive(VOCAB_PERM), fixed),
    );
  }
  if (!scheme.hidden) return key;
  const d = cfg.hiddenSize;
  const H = cfg.numHeads;
  const dh = d / H;
  addPermutation(key, BERT_KEY.hiddenPerm, randomPermutation(d, rng.derive(BERT_KEY.hiddenPerm)));
  for (let i = 0; i < cfg.numLayers; i++) {
    addPermutation(key, BERT_KEY.headPerm(i), randomPermutation(H, rng.derive(BERT_KEY.headPerm(i))));
    addInvertibleBlocks(key, BERT_KEY.qk(i), H, dh, rng.derive(BERT_KEY.qk(i)));
    addInvertibleBlocks(key, BERT_KEY.vo(i), H, dh, rng.derive(BERT_KEY.vo(i)));
    addPermutation(
      key,
      BERT_KEY.ffnPerm(i),
      randomPermutation(cfg.intermediateSize, rng.derive(BERT_KEY.ffnPerm(i))),
    );
  }
  addPermutation(key, BERT_KEY.poolerPerm, randomPermutation(d, rng.derive(BERT_KEY.poolerPerm)));
  const signsRng = rng.derive(BERT_KEY.poolerSigns);
  const signs = new Float32Array(d).map(() => (signsRng.uint32() & 1 ? -1 : 1));
  addFloatComponent(key, BERT_KEY.poolerSigns, "signs", [d], signs);
  addPermutation(key, BERT_KEY.labelPerm, randomPermutation(cfg.numLabels, rng.derive(BERT_KEY.labelPerm)));
  return key;
}

/** The secrets of one layer, read from the key. */
interface LayerSecrets {
  /** Head permutation σ over the H heads. */
  headPerm: Permutation;
  /** Head permutation σ expanded to the H·d_h features. */
  headFeatures: Permutation;
  /** A_h `[H, d_h, d_h]`. */
  qk: Float64Array;
  /** A_h^{-T} `[H, d_h, d_h]`. */
  qkInvT: Float64Array;
  /** B_h `[H, d_h, d_h]`. */
  vo: Float64Array;
  /** B_h^{-1} `[H, d_h, d_h]`. */
  voInv: Float64Array;
  /** φ `[I]`. */
  ffn: Permutation;
}

/** Encrypt `cfg` and `weights` (HF names of `Bert/RobertaForSequenceClassification`) with `key`. */
export async function applyBertKey(
  cfg: BertConfig,
  weights: StateDict,
  key: EEKey,
  full: boolean,
  opts: ApplyRulesOptions,
): Promise<{ cfg: BertConfig; weights: StateDict }> {
  const d = cfg.hiddenSize;
  const H = cfg.numHeads;
  const dh = d / H;
  const L = cfg.numLabels;
  const vocab = hasComponent(key, VOCAB_PERM) ? keyPermutation(key, VOCAB_PERM, [cfg.vocabSize]) : null;
  if (
    vocab &&
    ENCODER_VARIANTS[cfg.modelType].positions === "padding-offset" &&
    vocab[cfg.padTokenId] !== cfg.padTokenId
  ) {
    throw new Error(
      `encrypt (${opts.label}): the key's '${VOCAB_PERM}' moves the pad id, which ${cfg.modelType} positions need fixed`,
    );
  }
  const P = full ? keyPermutation(key, BERT_KEY.hiddenPerm, [d]) : null;
  const layerCache = new Map<number, LayerSecrets>();
  const layer = (i: number): LayerSecrets => {
    let s = layerCache.get(i);
    if (s === undefined) {
      const sigma = keyPermutation(key, BERT_KEY.headPerm(i), [H]);
      const qk = keyInvertibleBlocks(key, BERT_KEY.qk(i), H, dh);
      const vo = keyInvertibleBlocks(key, BERT_KEY.vo(i), H, dh);
      s = {
        headPerm: sigma,
        headFeatures: expandBlockPermutation(sigma, dh),
        qk: qk.matrix,
        qkInvT: transposeBlocks(qk.inverse, dh),
        vo: vo.matrix,
        voInv: vo.inverse,
        ffn: keyPermutation(key, BERT_KEY.ffnPerm(i), [cfg.intermediateSize]),
      };
      layerCache.set(i, s);
    }
    return s;
  };
  const tau = full ? keyPermutation(key, BERT_KEY.poolerPerm, [d]) : null;
  const signs = full ? keyFloats(key, BERT_KEY.poolerSigns, "signs", [d]) : null;
  const lambda = full ? keyPermutation(key, BERT_KEY.labelPerm, [L]) : null;

  // Each rule takes the tensor over (in place when the caller consumed its input, else one copy) and
  // applies small named steps, each one line of docs/design.md §4.2, in place.
  const own = (t: Tensor, n: string) => (opts.consumeInput ? t : ownedCopy(t, n));
  const isWeight = (t: Tensor) => t.shape.length === 2;
  const inputsByP = (t: Tensor, n: string) => (P && isWeight(t) ? scatterColsInPlace(t, P, n) : t); // W ← Pᵀ W
  const outputsByP = (t: Tensor, n: string) => scatterRowsInPlace(t, P as Permutation, n); // W ← W P, b ← b P
  const headsOut = (t: Tensor, i: number, blocks: (s: LayerSecrets) => Float64Array, n: string) => {
    const s = layer(i);
    return scatterRowsInPlace(rightMultiplyOutputBlocksInPlace(t, blocks(s), dh, n), s.headFeatures, n); // W_h M_h, then σ
  };
  const poolerOut = (t: Tensor, n: string) =>
    scatterRowsInPlace(scaleRowsInPlace(t, signs as Float64Array, n), tau as Permutation, n); // s ⊙ outputs, then τ
  const poolerIn = (t: Tensor, n: string) =>
    scatterColsInPlace(scaleColsInPlace(t, signs as Float64Array, n), tau as Permutation, n);
  const labelsOut = (t: Tensor, n: string) => scatterRowsInPlace(t, lambda as Permutation, n);
  /** The rule for the full scheme only (the vocab scheme keeps the tensor as it is). */
  const fullOnly =
    (f: (t: Tensor, m: RegExpMatchArray, n: string) => Tensor) =>
    (t: Tensor, m: RegExpMatchArray, n: string) =>
      full ? f(own(t, n), m, n) : t;

  const p = "(bert|roberta)";
  const layerP = `^${p}\\.encoder\\.layer\\.(\\d+)\\.`;
  const li = (m: RegExpMatchArray) => Number(m[2]);
  const rules: TensorRule[] = [
    {
      // [V, d]: rows by π (token ids), columns by P
      pattern: new RegExp(`^${p}\\.embeddings\\.word_embeddings\\.weight$`),
      transform: (t, _m, n) =>
        vocab === null && !full
          ? t
          : inputsByP(vocab ? scatterRowsInPlace(own(t, n), vocab, n) : own(t, n), n),
    },
    {
      // [maxPos, d] and [types, d]: columns by P
      pattern: new RegExp(`^${p}\\.embeddings\\.(position|token_type)_embeddings\\.weight$`),
      transform: fullOnly((t, _m, n) => inputsByP(t, n)),
    },
    {
      // LayerNorm γ, β [d]
      pattern: new RegExp(
        `^${p}\\.(embeddings|encoder\\.layer\\.\\d+\\.(attention\\.)?output)\\.LayerNorm\\.(weight|bias)$`,
      ),
      transform: fullOnly((t, _m, n) => outputsByP(t, n)),
    },
    {
      // W_q [H·d_h, d]: input by P; W_q,h ← W_q,h A_h; heads by σ
      pattern: new RegExp(`${layerP}attention\\.self\\.query\\.(weight|bias)$`),
      transform: fullOnly((t, m, n) => headsOut(inputsByP(t, n), li(m), (s) => s.qk, n)),
    },
    {
      // W_k,h ← W_k,h A_h^{-T}
      pattern: new RegExp(`${layerP}attention\\.self\\.key\\.(weight|bias)$`),
      transform: fullOnly((t, m, n) => headsOut(inputsByP(t, n), li(m), (s) => s.qkInvT, n)),
    },
    {
      // W_v,h ← W_v,h B_h
      pattern: new RegExp(`${layerP}attention\\.self\\.value\\.(weight|bias)$`),
      transform: fullOnly((t, m, n) => headsOut(inputsByP(t, n), li(m), (s) => s.vo, n)),
    },
    {
      // W_o [d, H·d_h]: W_o,h ← B_h^{-1} W_o,h with input head h moved to σ(h) (one new array); outputs by P
      pattern: new RegExp(`${layerP}attention\\.output\\.dense\\.weight$`),
      transform: (t, m, n) => {
        if (!full) return t;
        const s = layer(li(m));
        return outputsByP(leftMultiplyInputBlocks(t, s.voInv, dh, n, s.headPerm), n);
      },
    },
    {
      // FFN-in [I, d] (+ bias [I]): input by P, neurons by φ
      pattern: new RegExp(`${layerP}intermediate\\.dense\\.(weight|bias)$`),
      transform: fullOnly((t, m, n) => scatterRowsInPlace(inputsByP(t, n), layer(li(m)).ffn, n)),
    },
    {
      // FFN-out [d, I]: neurons by φ, outputs by P
      pattern: new RegExp(`${layerP}output\\.dense\\.weight$`),
      transform: fullOnly((t, m, n) => outputsByP(scatterColsInPlace(t, layer(li(m)).ffn, n), n)),
    },
    {
      // output biases [d] of attention-output and FFN-out
      pattern: new RegExp(`${layerP}(attention\\.)?output\\.dense\\.bias$`),
      transform: fullOnly((t, _m, n) => outputsByP(t, n)),
    },
    {
      // pooler [d, d] (+ bias): input by P; outputs signed by s and moved by τ
      pattern: /^(bert\.pooler\.dense|classifier\.dense)\.(weight|bias)$/,
      transform: fullOnly((t, _m, n) => poolerOut(inputsByP(t, n), n)),
    },
    {
      // classifier [L, d] (+ bias [L]): input undoes s and τ; labels by λ
      pattern: /^classifier(\.out_proj)?\.weight$/,
      transform: fullOnly((t, _m, n) => labelsOut(poolerIn(t, n), n)),
    },
    {
      pattern: /^classifier(\.out_proj)?\.bias$/,
      transform: fullOnly((t, _m, n) => labelsOut(t, n)),
    },
  ];

  const out = await applyRules(weights, rules, opts);
  return { cfg: encryptBertConfig(cfg, vocab, lambda), weights: out };
}

/** cfg' : special ids moved by π; class names hidden when labels are permuted. */
function encryptBertConfig(
  cfg: BertConfig,
  vocab: Permutation | null,
  labels: Permutation | null,
): BertConfig {
  const raw = encryptSpecialIds(cfg.raw, vocab);
  let id2label = cfg.id2label;
  if (labels) {
    id2label = cfg.id2label.map((_, i) => `LABEL_${i}`);
    raw.id2label = Object.fromEntries(id2label.map((l, i) => [String(i), l]));
    raw.label2id = Object.fromEntries(id2label.map((l, i) => [l, i]));
  }
  return { ...cfg, padTokenId: vocab ? vocab[cfg.padTokenId] : cfg.padTokenId, id2label, raw };
}

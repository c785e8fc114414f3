/**
 * An independent plain-TypeScript reference forward of BERT / RoBERTa sequence classification:
 * naive loops in float64, straight from the HF weights (`[out, in]` layout), no ONNX Runtime.
 * For tiny configs in tests, for the encrypters to check equivariance, and for the server's
 * hidden-state queries in `ee attack` (`encoderReferenceStates`).
 */
import type { StateDict } from "ee-core";
import type { BertConfig } from "../types.js";
import { BERT_VARIANT, ENCODER_VARIANTS, type EncoderVariant } from "./variant.js";

/** One batch of token ids (rows may differ in padding but share length T). */
export interface ReferenceBatch {
  /** Token ids per sequence, `[B][T]` (token ids). */
  inputIds: number[][];
  /** 1 = real token, 0 = padding, `[B][T]` (flags). */
  attentionMask: number[][];
  /** Segment ids `[B][T]` (BERT; zeros when omitted). */
  tokenTypeIds?: number[][];
}

type Mat = Float64Array; // row-major

/** The state dict's tensors as float64, each converted once per forward call. */
function weightReader(sd: StateDict): (name: string) => Float64Array {
  const cache = new Map<string, Float64Array>();
  return (name) => {
    let a = cache.get(name);
    if (!a) {
      const t = sd.get(name);
      if (!t) throw new Error(`reference: missing tensor ${name}`);
      a = Float64Array.from(t.data as ArrayLike<number>);
      cache.set(name, a);
    }
    return a;
  };
}

/** `y[t, o] = Σ_i x[t, i] W[o, i] + b[o]` for HF `W [out, in]`; x is `[T, in]`. */
function linear(x: Mat, T: number, nIn: number, W: Float64Array, b: Float64Array, nOut: number): Mat {
  const y = new Float64Array(T * nOut);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      for (let i = 0; i < nIn; i++) s += x[t * nIn + i] * W[o * nIn + i];
      y[t * nOut + o] = s;
    }
  }
  return y;
}

/** LayerNorm over each row of `[T, d]`, in place. */
function layerNorm(x: Mat, T: number, d: number, g: Float64Array, b: Float64Array, eps: number): Mat {
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += x[t * d + i];
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[t * d + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let i = 0; i < d; i++) x[t * d + i] = (x[t * d + i] - mean) * inv * g[i] + b[i];
  }
  return x;
}

/** erf by Abramowitz–Stegun 7.1.26 is too coarse (1e-7); use a series/continued fraction to ~1e-15. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for |x| ≥ 2.5.
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = ax + an * D;
    D = 1 / D;
    C = ax + an / C;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}

/** Exact GELU `½x(1 + erf(x/√2))`. */
function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** HF positions for one row. */
function positions(variant: EncoderVariant, cfg: BertConfig, ids: number[]): number[] {
  if (variant.positions === "absolute") return ids.map((_, t) => t);
  let c = 0;
  return ids.map((id) => {
    if (id === cfg.padTokenId) return cfg.padTokenId;
    c += 1;
    return c + cfg.padTokenId;
  });
}

/**
 * The encoder stack in float64 for one batch: `onLayer(b, l, x)` sees sequence b's hidden states
 * `x [T, d]` after the embedding LayerNorm (l = 0) and after each layer l = 1…L; returns every
 * sequence's last states.
 */
function encoderStack(
  variant: EncoderVariant,
  cfg: BertConfig,
  w: (name: string) => Float64Array,
  batch: ReferenceBatch,
  onLayer?: (b: number, layer: number, x: Mat) => void,
): Mat[] {
  const { hiddenSize: d, numHeads: H, intermediateSize: I } = cfg;
  const dh = d / H;
  const p = variant.prefix;
  const E = w(`${p}.embeddings.word_embeddings.weight`);
  const P = w(`${p}.embeddings.position_embeddings.weight`);
  const TT = w(`${p}.embeddings.token_type_embeddings.weight`);
  const last: Mat[] = [];

  for (let b = 0; b < batch.inputIds.length; b++) {
    const ids = batch.inputIds[b];
    const mask = batch.attentionMask[b];
    const types = variant.tokenTypeInput ? (batch.tokenTypeIds?.[b] ?? ids.map(() => 0)) : ids.map(() => 0);
    const T = ids.length;
    const pos = positions(variant, cfg, ids);

    // Embeddings → x [T, d]
    let x: Mat = new Float64Array(T * d);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < d; i++) x[t * d + i] = E[ids[t] * d + i] + P[pos[t] * d + i] + TT[types[t] * d + i];
    }
    layerNorm(
      x,
      T,
      d,
      w(`${p}.embeddings.LayerNorm.weight`),
      w(`${p}.embeddings.LayerNorm.bias`),
      cfg.layerNormEps,
    );
    onLayer?.(b, 0, x);

    for (let l = 0; l < cfg.numLayers; l++) {
      const pre = `${p}.encoder.layer.${l}`;
      const lin = (name: string, inp: Mat, nIn: number, nOut: number) =>
        linear(inp, T, nIn, w(`${pre}.${name}.weight`), w(`${pre}.${name}.bias`), nOut);
      const q = lin("attention.self.query", x, d, d);
      const k = lin("attention.self.key", x, d, d);
      const v = lin("attention.self.value", x, d, d);
      const ctx = new Float64Array(T * d);
      const s = new Float64Array(T);
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          // scores over keys j: q_i·k_j/√dh + (1 − m_j)·min
          let mx = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < T; j++) {
            let dot = 0;
            for (let c = 0; c < dh; c++) dot += q[i * d + h * dh + c] * k[j * d + h * dh + c];
            s[j] = mask[j] ? dot / Math.sqrt(dh) : Number.NEGATIVE_INFINITY;
            if (s[j] > mx) mx = s[j];
          }
          let z = 0;
          for (let j = 0; j < T; j++) {
            s[j] = Math.exp(s[j] - mx);
            z += s[j];
          }
          for (let c = 0; c < dh; c++) {
            let acc = 0;
            for (let j = 0; j < T; j++) acc += (s[j] / z) * v[j * d + h * dh + c];
            ctx[i * d + h * dh + c] = acc;
          }
        }
      }
      const a = lin("attention.output.dense", ctx, d, d);
      for (let n = 0; n < T * d; n++) a[n] += x[n];
      x = layerNorm(
        a,
        T,
        d,
        w(`${pre}.attention.output.LayerNorm.weight`),
        w(`${pre}.attention.output.LayerNorm.bias`),
        cfg.layerNormEps,
      );
      const hmid = lin("intermediate.dense", x, d, I).map(gelu);
      const o = lin("output.dense", hmid, I, d);
      for (let n = 0; n < T * d; n++) o[n] += x[n];
      x = layerNorm(
        o,
        T,
        d,
        w(`${pre}.output.LayerNorm.weight`),
        w(`${pre}.output.LayerNorm.bias`),
        cfg.layerNormEps,
      );
      onLayer?.(b, l + 1, x);
    }
    last.push(x);
  }
  return last;
}

/** Logits `[B][numLabels]` of the encoder classifier, computed in float64. */
export function encoderReferenceLogits(
  variant: EncoderVariant,
  cfg: BertConfig,
  sd: StateDict,
  batch: ReferenceBatch,
): number[][] {
  const { hiddenSize: d, numLabels: L } = cfg;
  const p = variant.prefix;
  const w = weightReader(sd);
  return encoderStack(variant, cfg, w, batch).map((x) => {
    // Head on token 0.
    const first = x.subarray(0, d);
    const dense = variant.head === "pooler" ? `${p}.pooler.dense` : "classifier.dense";
    const outName = variant.head === "pooler" ? "classifier" : "classifier.out_proj";
    const pooled = linear(first, 1, d, w(`${dense}.weight`), w(`${dense}.bias`), d).map(Math.tanh);
    return Array.from(linear(pooled, 1, d, w(`${outName}.weight`), w(`${outName}.bias`), L));
  });
}

/**
 * The encoder's hidden states in float64 (BERT or RoBERTa, by `cfg.modelType`), unpadded sequences:
 * `[B][L + 1]` arrays `[T, d]` — after the embedding LayerNorm, then after each layer.
 */
export function encoderReferenceStates(
  cfg: BertConfig,
  sd: StateDict,
  inputIds: number[][],
): Float64Array[][] {
  const variant = (ENCODER_VARIANTS as Record<string, EncoderVariant | undefined>)[cfg.modelType];
  if (!variant) throw new Error(`encoderReferenceStates: model type ${cfg.modelType} is not an encoder`);
  const out: Float64Array[][] = inputIds.map(() => []);
  encoderStack(
    variant,
    cfg,
    weightReader(sd),
    { inputIds, attentionMask: inputIds.map((r) => r.map(() => 1)) },
    (b, _l, x) => out[b].push(x.slice()),
  );
  return out;
}

/** BERT reference logits `[B][numLabels]`. */
export function bertReferenceLogits(cfg: BertConfig, sd: StateDict, batch: ReferenceBatch): number[][] {
  return encoderReferenceLogits(BERT_VARIANT, cfg, sd, batch);
}

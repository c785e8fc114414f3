/**
 * An independent plain-TypeScript Llama forward pass: float64, naive loops, no ONNX Runtime. It is the
 * yardstick for the ONNX graph and for the encrypters (decrypt(F_k(encrypt(p))) = F(p)).
 *
 * Per layer (row vectors, HF weights `[out, in]` so `x Wᵀ`):
 *   h   = x + o_proj(attn(rope(q_proj(n1)), rope(k_proj(n1)), v_proj(n1)))   with n1 = rms(x)·g1
 *   out = h + down(silu(gate(n2)) ⊙ up(n2))                                    with n2 = rms(h)·g2
 * logits = rms(x_L)·g · W_lmᵀ  (W_lm = embedding when tied).
 */
import type { StateDict } from "ee-core";
import { type LlamaConfig, ropeInvFreq } from "./config.js";
import { positionIdsFromMask } from "./positions.js";
import {
  checkLlamaWeights,
  LLAMA_EMBED,
  LLAMA_FINAL_NORM,
  LLAMA_LM_HEAD,
  llamaLayerNames,
} from "./weights.js";

/** Keys and values of every layer for the tokens seen so far. */
export interface LlamaReferenceCache {
  /** Batch size B (sequences). */
  batchSize: number;
  /** Cached length P (tokens). */
  length: number;
  /** Per layer, keys after RoPE `[B, G, P, d_h]` (features). */
  keys: Float64Array[];
  /** Per layer, values `[B, G, P, d_h]` (features). */
  values: Float64Array[];
}

/** One forward call: T new tokens per row, after P cached ones. */
export interface LlamaReferenceInput {
  /** New token ids `[B][T]` (token ids). */
  inputIds: number[][];
  /** `[B][P + T]` 1 = real token, 0 = padding (flags); default all ones. */
  attentionMask?: number[][];
  /** `[B][T]` positions (positions); default from the mask as HF generation does. */
  positionIds?: number[][];
  /** Cache of the previous calls (P = 0 when absent). */
  past?: LlamaReferenceCache;
}

/** Result of one forward call. */
export interface LlamaReferenceOutput {
  /** Logits `[B, T, V]`, row-major (nats, unnormalised). */
  logits: Float64Array;
  /** Cache including the new tokens (P + T). */
  present: LlamaReferenceCache;
  /**
   * Residual stream `[B, T, d]`: index 0 after the embedding, index i + 1 after layer i (before the
   * final norm). Only with `returnHidden`.
   */
  hidden?: Float64Array[];
}

function toF64(weights: StateDict, name: string): Float64Array {
  const t = weights.get(name);
  if (!t) throw new Error(`LlamaReference: missing tensor "${name}"`);
  return Float64Array.from(t.data as Float32Array);
}

/** x `[n, in]` times Wᵀ where W is `[out, in]` → `[n, out]`. */
function linear(x: Float64Array, n: number, w: Float64Array, inDim: number, outDim: number): Float64Array {
  const y = new Float64Array(n * outDim);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
      y[r * outDim + o] = s;
    }
  }
  return y;
}

/** Row-wise RMSNorm with gain g. */
function rmsNorm(x: Float64Array, n: number, d: number, g: Float64Array, eps: number): Float64Array {
  const y = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let i = 0; i < d; i++) ss += x[r * d + i] ** 2;
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let i = 0; i < d; i++) y[r * d + i] = x[r * d + i] * inv * g[i];
  }
  return y;
}

/** The reference model: weights widened to float64 once. */
export class LlamaReference {
  /** The configuration. */
  readonly cfg: LlamaConfig;
  private readonly w = new Map<string, Float64Array>();
  private readonly invFreq: Float64Array;

  constructor(cfg: LlamaConfig, weights: StateDict) {
    checkLlamaWeights(cfg, weights, "LlamaReference");
    this.cfg = cfg;
    for (const name of weights.keys()) this.w.set(name, toF64(weights, name));
    this.invFreq = ropeInvFreq(cfg);
  }

  private get(name: string): Float64Array {
    return this.w.get(name) as Float64Array;
  }

  /** RoPE (HF rotate_half: dims j and j + d_h/2 rotate together) on one head vector in place. */
  private rope(v: Float64Array, off: number, pos: number): void {
    const half = this.cfg.headDim / 2;
    for (let j = 0; j < half; j++) {
      const a = pos * this.invFreq[j];
      const c = Math.cos(a);
      const s = Math.sin(a);
      const x1 = v[off + j];
      const x2 = v[off + j + half];
      v[off + j] = x1 * c - x2 * s;
      v[off + j + half] = x2 * c + x1 * s;
    }
  }

  /** Run T new tokens per row after the cached ones. */
  forward(input: LlamaReferenceInput, opts: { returnHidden?: boolean } = {}): LlamaReferenceOutput {
    const cfg = this.cfg;
    const B = input.inputIds.length;
    const T = input.inputIds[0]?.length ?? 0;
    const P = input.past?.length ?? 0;
    const S = P + T;
    const d = cfg.hiddenSize;
    const H = cfg.numHeads;
    const G = cfg.numKvHeads;
    const dh = cfg.headDim;
    const f = cfg.intermediateSize;
    const V = cfg.vocabSize;
    const group = H / G;
    if (B === 0 || T === 0)
      throw new Error("LlamaReference.forward: inputIds must be a non-empty [B][T] array");
    if (input.past && input.past.batchSize !== B)
      throw new Error(`LlamaReference.forward: past has batch ${input.past.batchSize}, inputIds ${B}`);
    const mask = input.attentionMask ?? input.inputIds.map(() => new Array<number>(S).fill(1));
    mask.forEach((row, b) => {
      if (row.length !== S)
        throw new Error(
          `LlamaReference.forward: attentionMask[${b}] has length ${row.length}, expected P + T = ${S}`,
        );
    });
    const flatMask = mask.flat();
    const posFromMask = positionIdsFromMask(flatMask, B, S, T);
    const pos = (b: number, t: number) => input.positionIds?.[b][t] ?? Number(posFromMask[b * T + t]);

    // embedding: x [B·T, d]
    const emb = this.get(LLAMA_EMBED);
    let x: Float64Array = new Float64Array(B * T * d);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const id = input.inputIds[b][t];
        if (!Number.isInteger(id) || id < 0 || id >= V)
          throw new Error(`LlamaReference.forward: inputIds[${b}][${t}] = ${id} is outside [0, ${V})`);
        x.set(emb.subarray(id * d, (id + 1) * d), (b * T + t) * d);
      }
    }
    const hidden = opts.returnHidden ? [x.slice()] : undefined;
    const present: LlamaReferenceCache = { batchSize: B, length: S, keys: [], values: [] };
    const n = B * T;
    const scale = 1 / Math.sqrt(dh);

    for (let l = 0; l < cfg.numLayers; l++) {
      const names = llamaLayerNames(l);
      // --- attention ---
      const n1 = rmsNorm(x, n, d, this.get(names.inputNorm), cfg.rmsNormEps);
      const q = linear(n1, n, this.get(names.q), d, H * dh); // [B·T, H·d_h]
      const k = linear(n1, n, this.get(names.k), d, G * dh); // [B·T, G·d_h]
      const v = linear(n1, n, this.get(names.v), d, G * dh); // [B·T, G·d_h]
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          const r = b * T + t;
          for (let h = 0; h < H; h++) this.rope(q, (r * H + h) * dh, pos(b, t));
          for (let g = 0; g < G; g++) this.rope(k, (r * G + g) * dh, pos(b, t));
        }
      }
      // cache: [B, G, S, d_h] = past ‖ new
      const K = new Float64Array(B * G * S * dh);
      const Vc = new Float64Array(B * G * S * dh);
      for (let b = 0; b < B; b++) {
        for (let g = 0; g < G; g++) {
          const dst = (b * G + g) * S * dh;
          if (P > 0 && input.past) {
            const src = (b * G + g) * P * dh;
            K.set(input.past.keys[l].subarray(src, src + P * dh), dst);
            Vc.set(input.past.values[l].subarray(src, src + P * dh), dst);
          }
          for (let t = 0; t < T; t++) {
            const srcNew = ((b * T + t) * G + g) * dh;
            K.set(k.subarray(srcNew, srcNew + dh), dst + (P + t) * dh);
            Vc.set(v.subarray(srcNew, srcNew + dh), dst + (P + t) * dh);
          }
        }
      }
      present.keys.push(K);
      present.values.push(Vc);
      // scores and weighted values, per query head h reading KV head h / group (repeat_kv)
      const att = new Float64Array(n * H * dh); // [B·T, H·d_h]
      const scores = new Float64Array(S);
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          const g = Math.floor(h / group);
          const kvOff = (b * G + g) * S * dh;
          for (let t = 0; t < T; t++) {
            const qOff = ((b * T + t) * H + h) * dh;
            let max = Number.NEGATIVE_INFINITY;
            let anyVisible = false;
            for (let j = 0; j < S; j++) {
              const visible = j <= P + t && mask[b][j] !== 0;
              if (!visible) {
                scores[j] = Number.NEGATIVE_INFINITY;
                continue;
              }
              anyVisible = true;
              let s = 0;
              for (let e = 0; e < dh; e++) s += q[qOff + e] * K[kvOff + j * dh + e];
              scores[j] = s * scale;
              if (scores[j] > max) max = scores[j];
            }
            // a padding query with nothing visible attends uniformly (finite, never read)
            let sum = 0;
            for (let j = 0; j < S; j++) {
              scores[j] = anyVisible ? Math.exp(scores[j] - max) : 1;
              sum += scores[j];
            }
            for (let j = 0; j < S; j++) {
              const p = scores[j] / sum;
              if (p === 0) continue;
              for (let e = 0; e < dh; e++) att[qOff + e] += p * Vc[kvOff + j * dh + e];
            }
          }
        }
      }
      const o = linear(att, n, this.get(names.o), H * dh, d);
      for (let i = 0; i < n * d; i++) o[i] += x[i];
      x = o; // [B·T, d]
      // --- SwiGLU MLP ---
      const n2 = rmsNorm(x, n, d, this.get(names.postNorm), cfg.rmsNormEps);
      const gate = linear(n2, n, this.get(names.gate), d, f);
      const up = linear(n2, n, this.get(names.up), d, f);
      for (let i = 0; i < n * f; i++) gate[i] = (gate[i] / (1 + Math.exp(-gate[i]))) * up[i];
      const down = linear(gate, n, this.get(names.down), f, d);
      for (let i = 0; i < n * d; i++) x[i] += down[i];
      hidden?.push(x.slice());
    }

    const final = rmsNorm(x, n, d, this.get(LLAMA_FINAL_NORM), cfg.rmsNormEps);
    const head = cfg.tieWordEmbeddings ? emb : this.get(LLAMA_LM_HEAD);
    const logits = linear(final, n, head, d, V); // [B·T, V]
    return hidden ? { logits, present, hidden } : { logits, present };
  }
}

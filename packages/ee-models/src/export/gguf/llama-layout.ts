/**
 * Llama in llama.cpp's layout (as its `convert_hf_to_gguf.py` writes it for `LlamaForCausalLM`):
 * - tensor names: `token_embd`, `blk.N.{attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm,
 *   ffn_gate, ffn_up, ffn_down}`, `output_norm`, `output` (absent when tied), `rope_freqs`;
 * - an HF Linear weight `[out, in]` (row-major) is the ggml tensor with `ne = [in, out]`: same bytes;
 * - q and k rows permuted per head from HF's rotate-half pairing (dims `i` and `i + d_h/2` rotate
 *   together) to llama.cpp's interleaved pairing (dims `2i` and `2i + 1`), because llama.cpp's Llama
 *   uses "normal" RoPE on adjacent pairs;
 * - llama3 frequency scaling as per-pair divisors of the frequencies (`rope_freqs.weight`, `[d_h/2]`).
 *
 * The q/k permutation only relabels each head's output dims; a pair `(i, i + d_h/2)` becomes the
 * pair `(2i, 2i+1)` with the same frequency. EE's RoPE-commuting transforms (a 2×2 rotation and a
 * scale per pair, docs/design.md §4.3 of the encrypter) act within pairs, so they survive the relabelling
 * exactly; the test suite checks this numerically on an encrypted model.
 */
import type { LlamaConfig } from "../../llama/config.js";
import { LLAMA_EMBED, LLAMA_FINAL_NORM, LLAMA_LM_HEAD, llamaLayerNames } from "../../llama/weights.js";

/** GGUF name of the llama3 RoPE frequency factors. */
export const GGUF_ROPE_FREQS = "rope_freqs.weight";

/** HF tensor name → llama.cpp tensor name, in llama.cpp's file order (embedding, layers, norm, head). */
export function llamaGgufNames(cfg: LlamaConfig): Map<string, string> {
  const m = new Map<string, string>();
  m.set(LLAMA_EMBED, "token_embd.weight");
  for (let i = 0; i < cfg.numLayers; i++) {
    const n = llamaLayerNames(i);
    const b = `blk.${i}`;
    m.set(n.inputNorm, `${b}.attn_norm.weight`);
    m.set(n.q, `${b}.attn_q.weight`);
    m.set(n.k, `${b}.attn_k.weight`);
    m.set(n.v, `${b}.attn_v.weight`);
    m.set(n.o, `${b}.attn_output.weight`);
    m.set(n.postNorm, `${b}.ffn_norm.weight`);
    m.set(n.gate, `${b}.ffn_gate.weight`);
    m.set(n.up, `${b}.ffn_up.weight`);
    m.set(n.down, `${b}.ffn_down.weight`);
  }
  m.set(LLAMA_FINAL_NORM, "output_norm.weight");
  if (!cfg.tieWordEmbeddings) m.set(LLAMA_LM_HEAD, "output.weight");
  return m;
}

/**
 * Rows of a q or k projection `[heads·d_h, d]` from rotate-half to interleaved order: within each
 * head, new row `2i + c` is old row `c·d_h/2 + i` (c ∈ {0, 1}, i < d_h/2).
 */
export function permuteRopeRows(w: Float32Array, heads: number, headDim: number, cols: number): Float32Array {
  if (w.length !== heads * headDim * cols)
    throw new Error(`permuteRopeRows: ${w.length} values do not fill [${heads}·${headDim}, ${cols}]`);
  const half = headDim / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let c = 0; c < 2; c++) {
        const src = (h * headDim + c * half + i) * cols;
        const dst = (h * headDim + 2 * i + c) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/** Which HF tensors get the q/k row permutation, with their head counts (heads). */
export function ropeRowHeads(cfg: LlamaConfig, hfName: string): number | null {
  for (let i = 0; i < cfg.numLayers; i++) {
    const n = llamaLayerNames(i);
    if (hfName === n.q) return cfg.numHeads;
    if (hfName === n.k) return cfg.numKvHeads;
  }
  return null;
}

/**
 * llama3 RoPE factors `[d_h/2]`: llama.cpp divides pair j's base frequency `θ^(−2j/d_h)` by
 * `factor_j`. High-frequency pairs keep 1, low-frequency pairs get `factor`, the band between
 * `1 / ((1 − s)/factor + s)` with HF's smoothing `s` — the same frequencies as HF's llama3 rule.
 * Null when the config has no llama3 scaling.
 */
export function llama3RopeFactors(cfg: LlamaConfig): Float32Array | null {
  const s = cfg.ropeScaling;
  if (s === null) return null;
  const half = cfg.headDim / 2;
  const L = s.originalMaxPositionEmbeddings;
  const lowWavelen = L / s.lowFreqFactor;
  const highWavelen = L / s.highFreqFactor;
  const out = new Float32Array(half);
  for (let j = 0; j < half; j++) {
    const freq = 1 / cfg.ropeTheta ** ((2 * j) / cfg.headDim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) out[j] = 1;
    else if (wavelen > lowWavelen) out[j] = s.factor;
    else {
      const smooth = (L / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out[j] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}

/**
 * BERT / RoBERTa sequence-classification graph (post-LayerNorm encoder).
 *
 *   x₀ = LN(E_word[ids] + E_pos[pos] + E_type[types])                      // [B, T, d]
 *   per layer:  a = Attn(x) ;  x = LN(x + a W_o + b_o)
 *               x = LN(x + GELU(x W_i + b_i) W_out + b_out)
 *   head: BERT   logits = tanh(x[:,0] W_p + b_p) W_c + b_c                 // [B, L]
 *         RoBERTa logits = tanh(x[:,0] W_d + b_d) W_out + b_out
 *
 * Inputs: `input_ids`, `attention_mask` (+ `token_type_ids` for BERT), int64 [B, T]. Output: `logits`.
 * Plain path: ONNX ops only (MatMul, LayerNormalization, Softmax, Erf, …). Fused path
 * (`opts.fused`): ONNX Runtime CPU contrib ops `Attention` (packed QKV, raw int32 mask),
 * `SkipLayerNormalization` and `BiasGelu`. Neither depends on weight values.
 */
import type { StateDict, Tensor } from "ee-core";
import { GraphBuilder, MS_DOMAIN } from "../onnx/builder.js";
import type { BertConfig, BuildOptions, BuildResult } from "../types.js";
import type { EncoderVariant } from "./variant.js";

/** HF's extended-mask fill value: `torch.finfo(float32).min`. */
export const MASK_MIN_F32 = -3.4028234663852886e38;

/** One encoder layer's HF tensor names. */
function layerNames(variant: EncoderVariant, i: number) {
  const l = `${variant.prefix}.encoder.layer.${i}`;
  return {
    q: `${l}.attention.self.query`,
    k: `${l}.attention.self.key`,
    v: `${l}.attention.self.value`,
    o: `${l}.attention.output.dense`,
    ln1: `${l}.attention.output.LayerNorm`,
    inter: `${l}.intermediate.dense`,
    out: `${l}.output.dense`,
    ln2: `${l}.output.LayerNorm`,
  };
}

/** `[Wq^T | Wk^T | Wv^T]` → `[d, 3d]` from HF `[d, d]` weights, built at save time. */
function packedQkv(parts: Tensor[], d: number): Float32Array {
  const out = new Float32Array(d * 3 * d);
  parts.forEach((w, j) => {
    const src = w.data;
    for (let o = 0; o < d; o++) {
      for (let i = 0; i < d; i++) out[i * 3 * d + j * d + o] = src[o * d + i] as number;
    }
  });
  return out;
}

/** Concatenation of 1-D tensors. */
function concat1d(parts: Tensor[]): Float32Array {
  const n = parts.reduce((s, t) => s + t.data.length, 0);
  const out = new Float32Array(n);
  let at = 0;
  for (const t of parts) {
    out.set(t.data as Float32Array, at);
    at += t.data.length;
  }
  return out;
}

function get(weights: StateDict, name: string): Tensor {
  const t = weights.get(name);
  if (!t) throw new Error(`weights: missing tensor ${name}`);
  return t;
}

/** Embeddings → x₀ `[B, T, d]`. */
function embeddings(
  g: GraphBuilder,
  variant: EncoderVariant,
  cfg: BertConfig,
  w: StateDict,
  ids: string,
  types: string | null,
): string {
  const p = `${variant.prefix}.embeddings`;
  const W = (n: string) => g.weight(`${p}.${n}`, w.get(`${p}.${n}`));
  const word = g.gather(W("word_embeddings.weight"), ids); // [B, T, d]

  let pos: string; // int64 positions, [T] or [B, T]
  if (variant.positions === "absolute") {
    const T = g.op("Gather", [g.op("Shape", [ids]), g.constI64([1], [])], { axis: 0 }); // scalar T
    pos = g.op("Range", [g.constI64([0], []), T, g.constI64([1], [])]); // [T]
  } else {
    // HF create_position_ids_from_input_ids: cumsum(mask)·mask + padding_idx, mask = (id ≠ pad).
    const padId = g.constI64([cfg.padTokenId], []);
    const notPad = g.cast(g.op("Not", [g.op("Equal", [ids, padId])]), "int64"); // [B, T]
    const cum = g.op("CumSum", [notPad, g.constI64([1], [])]); // [B, T]
    pos = g.add(g.mul(cum, notPad), padId);
  }
  const position = g.gather(W("position_embeddings.weight"), pos); // [T, d] or [B, T, d]

  const typeTable = W("token_type_embeddings.weight");
  const type = types ? g.gather(typeTable, types) : g.gather(typeTable, g.constI64([0], [])); // [B, T, d] or [d]

  const sum = g.add(g.add(word, position), type);
  return g.layerNorm(sum, W("LayerNorm.weight"), W("LayerNorm.bias"), cfg.layerNormEps); // [B, T, d]
}

/** Plain attention sub-layer output before the residual: `ctx W_o` (bias added by the caller). */
function plainAttention(
  g: GraphBuilder,
  cfg: BertConfig,
  w: StateDict,
  n: ReturnType<typeof layerNames>,
  x: string,
  maskBias: string,
): string {
  const H = cfg.numHeads;
  const dh = cfg.hiddenSize / H;
  const lin = (name: string) =>
    g.linear(
      x,
      g.weight(`${name}.weight`, w.get(`${name}.weight`), { transpose: true }),
      g.weight(`${name}.bias`, w.get(`${name}.bias`)),
    );
  const heads = (t: string) => g.reshape(t, [0, 0, H, dh]); // [B, T, H, dh]
  const q = g.transpose(heads(g.mul(lin(n.q), g.constF32([1 / Math.sqrt(dh)], []))), [0, 2, 1, 3]); // [B, H, T, dh] (pre-scaled)
  const kT = g.transpose(heads(lin(n.k)), [0, 2, 3, 1]); // [B, H, dh, T]
  const v = g.transpose(heads(lin(n.v)), [0, 2, 1, 3]); // [B, H, T, dh]
  const scores = g.add(g.matmul(q, kT), maskBias); // [B, H, T, T]
  const probs = g.softmax(scores, -1);
  const ctx = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [0, 0, cfg.hiddenSize]); // [B, T, d]
  return g.matmul(ctx, g.weight(`${n.o}.weight`, w.get(`${n.o}.weight`), { transpose: true })); // [B, T, d]
}

/** Fused attention: com.microsoft.Attention over packed QKV, then `ctx W_o`. */
function fusedAttention(
  g: GraphBuilder,
  cfg: BertConfig,
  w: StateDict,
  n: ReturnType<typeof layerNames>,
  x: string,
  mask32: string,
  i: number,
): string {
  const d = cfg.hiddenSize;
  const W = [n.q, n.k, n.v].map((name) => get(w, `${name}.weight`));
  const b = [n.q, n.k, n.v].map((name) => get(w, `${name}.bias`));
  const qkvW = g.lazyInitializer(`fused.layer.${i}.qkv.weight`, "float32", [d, 3 * d], () => packedQkv(W, d));
  const qkvB = g.lazyInitializer(`fused.layer.${i}.qkv.bias`, "float32", [3 * d], () => concat1d(b));
  const ctx = g.op("Attention", [x, qkvW, qkvB, mask32], { num_heads: cfg.numHeads }, { domain: MS_DOMAIN }); // [B, T, d]
  return g.matmul(ctx, g.weight(`${n.o}.weight`, w.get(`${n.o}.weight`), { transpose: true }));
}

/** `LN(residual + y + bias)`: SkipLayerNormalization when fused, else Add, Add, LayerNormalization. */
function addNorm(
  g: GraphBuilder,
  fused: boolean,
  cfg: BertConfig,
  w: StateDict,
  y: string,
  bias: string,
  residual: string,
  ln: string,
): string {
  const gamma = g.weight(`${ln}.weight`, w.get(`${ln}.weight`));
  const beta = g.weight(`${ln}.bias`, w.get(`${ln}.bias`));
  const b = g.weight(bias, w.get(bias));
  if (fused)
    return g.op(
      "SkipLayerNormalization",
      [y, residual, gamma, beta, b],
      { epsilon: { f: cfg.layerNormEps } },
      { domain: MS_DOMAIN },
    );
  return g.layerNorm(g.add(g.add(y, b), residual), gamma, beta, cfg.layerNormEps);
}

/** Build the classifier graph into `g` (inputs, body, `logits` output). */
export function buildEncoderGraph(
  g: GraphBuilder,
  variant: EncoderVariant,
  cfg: BertConfig,
  w: StateDict,
  opts: BuildOptions,
): void {
  const ids = g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  const mask = g.input("attention_mask", "int64", ["batch_size", "sequence_length"]);
  const types = variant.tokenTypeInput
    ? g.input("token_type_ids", "int64", ["batch_size", "sequence_length"])
    : null;

  let x = embeddings(g, variant, cfg, w, ids, types); // [B, T, d]

  // Attention masks: plain → additive bias (1 − m)·min, [B, 1, 1, T]; fused → raw int32 mask [B, T].
  const maskBias = opts.fused
    ? ""
    : g.unsqueeze(
        g.mul(g.sub(g.constF32([1], []), g.cast(mask, "float32")), g.constF32([MASK_MIN_F32], [])),
        [1, 2],
      );
  const mask32 = opts.fused ? g.cast(mask, "int32") : "";

  for (let i = 0; i < cfg.numLayers; i++) {
    const n = layerNames(variant, i);
    const a = opts.fused
      ? fusedAttention(g, cfg, w, n, x, mask32, i)
      : plainAttention(g, cfg, w, n, x, maskBias);
    x = addNorm(g, opts.fused, cfg, w, a, `${n.o}.bias`, x, n.ln1); // [B, T, d]

    const Wi = g.weight(`${n.inter}.weight`, w.get(`${n.inter}.weight`), { transpose: true });
    const bi = g.weight(`${n.inter}.bias`, w.get(`${n.inter}.bias`));
    const h = opts.fused
      ? g.op("BiasGelu", [g.matmul(x, Wi), bi], {}, { domain: MS_DOMAIN }) // [B, T, I]
      : g.gelu(g.add(g.matmul(x, Wi), bi));
    const o = g.matmul(h, g.weight(`${n.out}.weight`, w.get(`${n.out}.weight`), { transpose: true })); // [B, T, d]
    x = addNorm(g, opts.fused, cfg, w, o, `${n.out}.bias`, x, n.ln2);
  }

  // Head on the first token ([CLS] / <s>).
  const first = g.gather(x, g.constI64([0], []), 1); // [B, d]
  const lin = (name: string, t: string) =>
    g.linear(
      t,
      g.weight(`${name}.weight`, w.get(`${name}.weight`), { transpose: true }),
      g.weight(`${name}.bias`, w.get(`${name}.bias`)),
    );
  const logits =
    variant.head === "pooler"
      ? lin("classifier", g.tanh(lin(`${variant.prefix}.pooler.dense`, first)))
      : lin("classifier.out_proj", g.tanh(lin("classifier.dense", first))); // [B, L]
  g.output(logits, "logits", "float32", ["batch_size", cfg.numLabels]);
}

/** Build and save `outDir/onnx/model.onnx`. */
export async function buildEncoderOnnx(
  variant: EncoderVariant,
  cfg: BertConfig,
  weights: StateDict,
  outDir: string,
  opts: BuildOptions,
): Promise<BuildResult> {
  if ((opts.weightDtype ?? "float32") !== "float32")
    throw new Error(
      `${variant.hfClass} buildOnnx: weightDtype ${opts.weightDtype} is implemented for Llama only; build with float32`,
    );
  const g = new GraphBuilder(`${variant.hfClass}${opts.fused ? "_fused" : ""}`);
  buildEncoderGraph(g, variant, cfg, weights, opts);
  const saved = g.save(outDir, { externalDataThresholdBytes: opts.externalDataThresholdBytes });
  return {
    ...saved,
    inputNames: g.inputs.map((v) => v.name as string),
    outputNames: g.outputs.map((v) => v.name as string),
    numNodes: g.nodes.length,
    opCounts: g.opCounts(),
  };
}

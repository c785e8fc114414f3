/**
 * The Llama causal-LM ONNX graph with a KV cache and the transformers.js / optimum I/O names:
 *
 *   input_ids [B, T] int64, attention_mask [B, P+T] int64, position_ids [B, T] int64,
 *   past_key_values.{i}.key|value [B, G, P, d_h] float32
 *   → logits [B, T, V] (or [B, 1, V] with `lastTokenLogitsOnly`), present.{i}.key|value [B, G, P+T, d_h]
 *
 * Plain ONNX ops (opset 17). Every linear is `Gemm(x, W, transB=1)` on the 2-D residual stream
 * `[N = B·T, d]`, reading the HF `[out, in]` tensor as stored under its HF name (no transposed copies at
 * build time; measured no slower than MatMul on pre-transposed weights). The RMSNorm is written as
 * Pow → ReduceMean → Add → Sqrt → Div → Mul and `x·sigmoid(x)` as two ops: ONNX Runtime's optimizer
 * fuses them into SimplifiedLayerNormalization and QuickGelu(α=1). GQA without copying KV: the query
 * heads of a group are reshaped onto an extra axis, `[B, G, rep, T, d_h] @ [B, G, 1, d_h, S]`.
 * The graph depends on the config only, never on weight values (an encrypted model has the same graph).
 */
import type { StateDict } from "ee-core";
import { GraphBuilder } from "../onnx/builder.js";
import type { BuildOptions, BuildResult } from "../types.js";
import { type LlamaConfig, ropeInvFreq } from "./config.js";
import {
  checkLlamaWeights,
  LLAMA_EMBED,
  LLAMA_FINAL_NORM,
  LLAMA_LM_HEAD,
  llamaLayerNames,
} from "./weights.js";

/**
 * Build options of the Llama graph: `BuildOptions`, of which Llama reads `lastTokenLogitsOnly` (the LM
 * head over 128,256 tokens dominates prefill, and generation needs only the last row) and rejects `fused`.
 */
export type LlamaBuildOptions = BuildOptions;

/** Graph input/output names (transformers.js / optimum convention). */
export const LLAMA_IO = {
  inputIds: "input_ids",
  attentionMask: "attention_mask",
  positionIds: "position_ids",
  logits: "logits",
  pastKey: (i: number) => `past_key_values.${i}.key`,
  pastValue: (i: number) => `past_key_values.${i}.value`,
  presentKey: (i: number) => `present.${i}.key`,
  presentValue: (i: number) => `present.${i}.value`,
} as const;

/** float32's lowest value: masked scores (a `Where`, so no −∞ and no NaN for all-masked pad rows). */
const MASKED_SCORE = -3.4028234663852886e38;
const INT64_MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** RMSNorm over the last axis: `x / sqrt(mean(x²) + eps) · g`. */
function rmsNorm(g: GraphBuilder, x: string, gain: string, eps: number): string {
  const ms = g.op("ReduceMean", [g.op("Pow", [x, g.constF32([2], [])])], { axes: [-1], keepdims: 1 });
  const rms = g.op("Sqrt", [g.add(ms, g.constF32([eps], []))]);
  return g.mul(g.div(x, rms), gain);
}

/** RoPE with HF's rotate_half: `x·cos + [−x₂, x₁]·sin` on `[B, heads, T, d_h]`. */
function rope(g: GraphBuilder, x: string, cos: string, sin: string): string {
  const [x1, x2] = g.opN("Split", [x], { axis: -1 }, { outputs: 2 });
  const rotated = g.op("Concat", [g.op("Neg", [x2]), x1], { axis: -1 });
  return g.add(g.mul(x, cos), g.mul(rotated, sin));
}

/** Build the graph (nodes + lazily written initializers); `buildLlamaOnnx` saves it. */
export function llamaGraph(cfg: LlamaConfig, weights: StateDict, opts: LlamaBuildOptions): GraphBuilder {
  if (opts.fused) {
    throw new Error(
      "llama buildOnnx: fused: true is not implemented for Llama (ONNX Runtime already fuses the plain graph's RMSNorm and SiLU; " +
        "attention is a small share of the FLOPs here); build with fused: false",
    );
  }
  checkLlamaWeights(cfg, weights, "llama buildOnnx");
  const d = cfg.hiddenSize;
  const H = cfg.numHeads;
  const G = cfg.numKvHeads;
  const rep = H / G;
  const dh = cfg.headDim;
  const V = cfg.vocabSize;
  const g = new GraphBuilder("llama_causal_lm", { weightDtype: opts.weightDtype });

  // ---- inputs ----
  const ids = g.input(LLAMA_IO.inputIds, "int64", ["batch_size", "sequence_length"]);
  const mask = g.input(LLAMA_IO.attentionMask, "int64", ["batch_size", "total_sequence_length"]);
  const posIds = g.input(LLAMA_IO.positionIds, "int64", ["batch_size", "sequence_length"]);
  const past: { k: string; v: string }[] = [];
  for (let i = 0; i < cfg.numLayers; i++) {
    past.push({
      k: g.input(LLAMA_IO.pastKey(i), "float32", ["batch_size", G, "past_sequence_length", dh]),
      v: g.input(LLAMA_IO.pastValue(i), "float32", ["batch_size", G, "past_sequence_length", dh]),
    });
  }

  // ---- RoPE tables: cos/sin [B, 1, T, d_h] from position_ids and inv_freq (llama3-scaled) ----
  const half = ropeInvFreq(cfg);
  const invFreq = new Float32Array(dh); // [d_h] = inv_freq ‖ inv_freq (rotate_half pairing)
  for (let j = 0; j < dh / 2; j++) invFreq[j] = invFreq[j + dh / 2] = half[j];
  const invFreqName = g.initializer("rope.inv_freq", invFreq, [dh]);
  const angles = g.mul(g.unsqueeze(g.cast(posIds, "float32"), [2]), invFreqName); // [B, T, d_h]
  const cos = g.unsqueeze(g.op("Cos", [angles]), [1]); // [B, 1, T, d_h]
  const sin = g.unsqueeze(g.op("Sin", [angles]), [1]); // [B, 1, T, d_h]

  // ---- mask [B, 1, 1, T, S]: key j visible to query t iff attention_mask[b, j] and j ≤ P + t ----
  const zero = g.constI64([0], []);
  const one = g.constI64([1], []);
  const btShape = g.op("Shape", [ids]); // [2] = (B, T)
  const S = g.gather(g.op("Shape", [mask]), g.constI64([1], []), 0); // scalar
  const T = g.gather(btShape, g.constI64([1], []), 0); // scalar
  const keyIdx = g.op("Range", [zero, S, one]); // [S]
  const queryIdx = g.op("Range", [g.sub(S, T), S, one]); // [T], absolute positions P..S-1
  const causal = g.op("LessOrEqual", [g.unsqueeze(keyIdx, [0]), g.unsqueeze(queryIdx, [1])]); // [T, S]
  const keyMask = g.unsqueeze(g.cast(mask, "bool"), [1, 2, 3]); // [B, 1, 1, 1, S]
  const visible = g.op("And", [keyMask, causal]); // [B, 1, 1, T, S]
  const masked = g.constF32([MASKED_SCORE], []);

  // ---- embedding; the residual stream is kept 2-D, [N = B·T, d], so every linear is one Gemm ----
  const shapeBT = (...tail: number[]) => g.op("Concat", [btShape, g.constI64(tail)], { axis: 0 });
  const qShape = shapeBT(H, dh); // (B, T, H, d_h)
  const kvShape = shapeBT(G, dh); // (B, T, G, d_h)
  const embed = g.weight(LLAMA_EMBED, weights.get(LLAMA_EMBED)); // [V, d]
  let x = g.gather(embed, g.reshape(ids, [-1]), 0); // [N, d]

  /** `a Wᵀ` with W stored as the HF `[out, in]` tensor. */
  const lin = (a: string, name: string) =>
    g.op("Gemm", [a, g.weight(name, weights.get(name))], { transB: 1 });
  /** `[N, heads·d_h]` → `[B, heads, T, d_h]`. */
  const heads = (a: string, shape: string) => g.transpose(g.op("Reshape", [a, shape]), [0, 2, 1, 3]);

  const presents: { k: string; v: string }[] = [];
  const qScale = g.constF32([1 / Math.sqrt(dh)], []);
  for (let i = 0; i < cfg.numLayers; i++) {
    const n = llamaLayerNames(i);

    // ---- attention ----
    const h1 = rmsNorm(g, x, g.weight(n.inputNorm, weights.get(n.inputNorm)), cfg.rmsNormEps); // [N, d]
    const q = heads(lin(h1, n.q), qShape); // [B, H, T, d_h]
    const k = heads(lin(h1, n.k), kvShape); // [B, G, T, d_h]
    const v = heads(lin(h1, n.v), kvShape); // [B, G, T, d_h]
    const qr = rope(g, q, cos, sin);
    const kr = rope(g, k, cos, sin);
    const kAll = g.op("Concat", [past[i].k, kr], { axis: 2 }); // [B, G, S, d_h]
    const vAll = g.op("Concat", [past[i].v, v], { axis: 2 }); // [B, G, S, d_h]
    presents.push({ k: kAll, v: vAll });

    const qg = g.reshape(g.mul(qr, qScale), [0, G, rep, -1, dh]); // [B, G, rep, T, d_h]
    const kT = g.unsqueeze(g.transpose(kAll, [0, 1, 3, 2]), [2]); // [B, G, 1, d_h, S]
    const scores = g.op("Where", [visible, g.matmul(qg, kT), masked]); // [B, G, rep, T, S]
    const probs = g.softmax(scores, -1);
    const ctx = g.matmul(probs, g.unsqueeze(vAll, [2])); // [B, G, rep, T, d_h]
    const merged = g.reshape(g.transpose(g.reshape(ctx, [0, H, -1, dh]), [0, 2, 1, 3]), [-1, H * dh]); // [N, H·d_h]
    x = g.add(x, lin(merged, n.o)); // [N, d]

    // ---- SwiGLU MLP ----
    const h2 = rmsNorm(g, x, g.weight(n.postNorm, weights.get(n.postNorm)), cfg.rmsNormEps);
    const gate = lin(h2, n.gate); // [N, f]
    const up = lin(h2, n.up); // [N, f]
    const act = g.mul(g.mul(gate, g.sigmoid(gate)), up); // silu(gate) ⊙ up
    x = g.add(x, lin(act, n.down)); // [N, d]
  }

  // ---- final norm and LM head: Gemm with transB reads the [V, d] matrix as stored (tied → the embedding) ----
  const batchOnly = g.slice(btShape, [0], [1], [0]); // [1] = (B)
  if (opts.lastTokenLogitsOnly) {
    const last = g.slice(g.op("Reshape", [x, shapeBT(d)]), [-1], [INT64_MAX_SAFE], [1]); // [B, 1, d]
    x = g.reshape(last, [-1, d]); // [B, d]
  }
  const xf = rmsNorm(g, x, g.weight(LLAMA_FINAL_NORM, weights.get(LLAMA_FINAL_NORM)), cfg.rmsNormEps); // [N or B, d]
  const head = cfg.tieWordEmbeddings ? embed : g.weight(LLAMA_LM_HEAD, weights.get(LLAMA_LM_HEAD));
  const logits2d = g.op("Gemm", [xf, head], { transB: 1 }); // [N or B, V]
  const logitsShape = opts.lastTokenLogitsOnly
    ? g.op("Concat", [batchOnly, g.constI64([1, V])], { axis: 0 })
    : shapeBT(V);
  const logits = g.op("Reshape", [logits2d, logitsShape]); // [B, T, V] or [B, 1, V]

  // ---- outputs: logits, then present.{i}.key|value (optimum order) ----
  g.output(logits, LLAMA_IO.logits, "float32", [
    "batch_size",
    opts.lastTokenLogitsOnly ? 1 : "sequence_length",
    V,
  ]);
  const kvDims = ["batch_size", G, "total_sequence_length", dh];
  presents.forEach((p, i) => {
    g.output(p.k, LLAMA_IO.presentKey(i), "float32", kvDims);
    g.output(p.v, LLAMA_IO.presentValue(i), "float32", kvDims);
  });
  return g;
}

/**
 * Above this total weight size a Llama graph keeps its large tensors in `onnx/model.onnx_data` unless
 * `externalDataThresholdBytes` says otherwise (bytes). ONNX Runtime then maps them instead of parsing a
 * huge protobuf: session creation for a 1.2 GB Llama took 41 s inline vs 7 s external on the 2-core
 * build machine. folder.ts tells transformers.js (`use_external_data_format`).
 */
export const LLAMA_AUTO_EXTERNAL_BYTES = 256 * 2 ** 20;
/** Tensors of at least this size go external when the automatic rule applies (bytes). */
const LLAMA_EXTERNAL_TENSOR_BYTES = 2 ** 20;

/** Build and save `outDir/onnx/model.onnx` (+ `model.onnx_data` for models over `LLAMA_AUTO_EXTERNAL_BYTES`). */
export async function buildLlamaOnnx(
  cfg: LlamaConfig,
  weights: StateDict,
  outDir: string,
  opts: LlamaBuildOptions,
): Promise<BuildResult> {
  const g = llamaGraph(cfg, weights, opts);
  const totalBytes = g.initializers.reduce((sum, t) => sum + t.sizeBytes, 0);
  const auto = totalBytes > LLAMA_AUTO_EXTERNAL_BYTES ? LLAMA_EXTERNAL_TENSOR_BYTES : undefined;
  const saved = g.save(outDir, { externalDataThresholdBytes: opts.externalDataThresholdBytes ?? auto });
  return {
    ...saved,
    inputNames: g.inputs.map((v) => v.name as string),
    outputNames: g.outputs.map((v) => v.name as string),
    numNodes: g.nodes.length,
    opCounts: g.opCounts(),
  };
}

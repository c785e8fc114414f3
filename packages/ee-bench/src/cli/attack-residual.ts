/**
 * The residual-stream queries of `hidden-state-vocab-match-L<l>`, run the way the server can run them:
 * the encrypted model it holds (its weights read back out of the folder, ONNX or HF format) on
 * `[BOS', e]` for every encrypted id e (BOS' from the encrypted config.json), the public plain model
 * on `[BOS, t]` for every plain id t; the state after each layer at both positions is kept. An encoder
 * (BERT, RoBERTa) is queried with `[e]` and `[t]` alone — a one-token input is valid and needs no
 * special id — and the state after the embedding LayerNorm and after each layer is kept. The forwards
 * are ee-models' float64 references (`LlamaReference`, `encoderReferenceStates`), so this is meant
 * for small models: cost ≈ V queries × positions × the model's multiply-adds.
 */
import type { Matrix, ResidualStatesView } from "ee-attacks";
import type { StateDict } from "ee-core";
import {
  type BertConfig,
  encoderReferenceStates,
  getArchitecture,
  type LlamaConfig,
  LlamaReference,
  loadCheckpoint,
  readEncoderOnnxWeights,
  readModelFolder,
  readOnnxInitializers,
} from "ee-models";
import type { PlainQueryCache } from "./attack-oracle.js";

/** Queries per forward call. */
const BATCH = 64;

/** The residual states of one model: per layer `V × d`, and the BOS position's `(L + 1) × d`. */
function residualStates(
  cfg: LlamaConfig,
  weights: StateDict,
  bos: number,
): { layers: Matrix[]; bos: Matrix } {
  const ref = new LlamaReference(cfg, weights);
  const V = cfg.vocabSize;
  const d = cfg.hiddenSize;
  const L = cfg.numLayers;
  const layers = Array.from({ length: L + 1 }, () => new Float32Array(V * d));
  const bosRows = new Float32Array((L + 1) * d);
  for (let t0 = 0; t0 < V; t0 += BATCH) {
    const n = Math.min(BATCH, V - t0);
    const out = ref.forward(
      { inputIds: Array.from({ length: n }, (_, i) => [bos, t0 + i]) },
      { returnHidden: true },
    );
    const hidden = out.hidden;
    if (!hidden || hidden.length !== L + 1)
      throw new Error(`LlamaReference returned ${hidden?.length ?? 0} residual states, expected ${L + 1}`);
    for (let l = 0; l <= L; l++) {
      const h = hidden[l]; // [n, 2, d]
      for (let b = 0; b < n; b++) layers[l].set(h.subarray((b * 2 + 1) * d, (b * 2 + 2) * d), (t0 + b) * d);
      if (t0 === 0) bosRows.set(h.subarray(0, d), l * d);
    }
  }
  return {
    layers: layers.map((data) => ({ rows: V, cols: d, data })),
    bos: { rows: L + 1, cols: d, data: bosRows },
  };
}

/** The residual states of an encoder on `[id]` for every id: per layer (embedding LayerNorm first) `V × d`. */
function encoderStates(cfg: BertConfig, weights: StateDict): Matrix[] {
  const V = cfg.vocabSize;
  const d = cfg.hiddenSize;
  const layers = Array.from({ length: cfg.numLayers + 1 }, () => new Float32Array(V * d));
  for (let t0 = 0; t0 < V; t0 += BATCH) {
    const n = Math.min(BATCH, V - t0);
    const states = encoderReferenceStates(
      cfg,
      weights,
      Array.from({ length: n }, (_, i) => [t0 + i]),
    );
    for (let b = 0; b < n; b++)
      for (let l = 0; l <= cfg.numLayers; l++) layers[l].set(states[b][l], (t0 + b) * d);
  }
  return layers.map((data) => ({ rows: V, cols: d, data }));
}

/** Most multiply-adds (both models, all queries) spent on the queries; above it they are not run. */
export const RESIDUAL_MAX_MULTIPLY_ADDS = 2e11;

/**
 * Both models' residual states; a string saying why not for models whose queries would cost more than
 * `RESIDUAL_MAX_MULTIPLY_ADDS`. `plainQueries` keeps the plain model's states across calls (see
 * `PlainQueryCache`).
 */
export function residualStatesView(
  plainDir: string,
  encDir: string,
  plainQueries?: PlainQueryCache,
): ResidualStatesView | string {
  const plain = readModelFolder(plainDir);
  const enc = readModelFolder(encDir);
  if (plain.arch === "llama") return decoderView(plain, enc, plainQueries);
  const cfg = plain.cfg as BertConfig;
  const { vocabSize: V, hiddenSize: d, numLayers: L, intermediateSize: f } = cfg;
  const cost = 2 * V * L * (4 * d * d + 2 * d * f);
  if (cost > RESIDUAL_MAX_MULTIPLY_ADDS) return tooCostly(cost);
  const plainWeights = loadCheckpoint(plain.dir, getArchitecture(plain.arch), plain.cfg);
  const p = plainQueries?.residual ?? { layers: encoderStates(cfg, plainWeights), bos: null };
  if (plainQueries) plainQueries.residual = p;
  // the server's own weights, read back out of the encrypted ONNX file in HF layout
  const shapes = new Map([...plainWeights].map(([name, t]) => [name, t.shape] as const));
  const e = encoderStates(enc.cfg as BertConfig, readEncoderOnnxWeights(enc.onnxPath, shapes));
  return {
    description:
      "[id] → hidden state after the embedding LayerNorm (layer 0) and after layer l (float64 reference forward)",
    layers: p.layers.map((m, l) => ({ layer: l, plain: m, encrypted: e[l] })),
  };
}

const tooCostly = (cost: number): string =>
  `residual-state queries would cost ${cost.toExponential(1)} multiply-adds in the float64 reference forward (cap ${RESIDUAL_MAX_MULTIPLY_ADDS.toExponential(0)})`;

/** A decoder's view: `[BOS, id]` queries, the BOS position's states kept as shared references. */
function decoderView(
  plain: ReturnType<typeof readModelFolder>,
  enc: ReturnType<typeof readModelFolder>,
  plainQueries?: PlainQueryCache,
): ResidualStatesView | string {
  const plainCfg = plain.cfg as LlamaConfig;
  const encCfg = enc.cfg as LlamaConfig;
  const { vocabSize: V, hiddenSize: d, numLayers: L, intermediateSize: f } = plainCfg;
  const cost = 2 * V * 2 * (L * (4 * d * d + 3 * d * f) + V * d);
  if (cost > RESIDUAL_MAX_MULTIPLY_ADDS) return tooCostly(cost);
  const bos = (c: LlamaConfig, dir: string): number => {
    if (c.bosTokenId === null || c.bosTokenId === undefined)
      throw new Error(`${dir}: config.json has no bos_token_id`);
    return c.bosTokenId;
  };
  const plainWeights = loadCheckpoint(plain.dir, getArchitecture(plain.arch), plain.cfg);
  const p = plainQueries?.residual ?? residualStates(plainCfg, plainWeights, bos(plainCfg, plain.dir));
  if (plainQueries) plainQueries.residual = p;
  if (!p.bos) throw new Error(`${plain.dir}: cached plain residual states have no BOS states`);
  // the server's own weights, read back out of the encrypted ONNX file under their HF names
  const encWeights = readOnnxInitializers(enc.onnxPath, [...plainWeights.keys()]);
  const e = residualStates(encCfg, encWeights, bos(encCfg, enc.dir));
  return {
    description: "[BOS, id] → residual stream at the last position after layer l (float64 reference forward)",
    layers: p.layers.map((m, l) => ({ layer: l, plain: m, encrypted: e.layers[l] })),
    bosPlain: p.bos,
    bosEncrypted: e.bos,
  };
}

/**
 * The logits oracle's queries, run the way the server can run them: the encrypted model it serves on a
 * one-token input for every encrypted id, and the public plain model on the same for every plain id.
 * A decoder is queried with `[BOS, t]` (the encrypted BOS id is in the encrypted config.json the server
 * holds), an encoder with `[t]`. Each query leaves one signature row (see ee-attacks' `oracleSignatures`).
 * The queries go through the engine seam (the default engine), as a serving process would run them.
 */
import type { Matrix, OracleView } from "ee-attacks";
import { ORACLE_TOP_K, oracleSignatures } from "ee-attacks";
import { DEFAULT_ENGINE, type Engine, getEngine, readModelFolder } from "ee-models";

/** Decoder queries per engine call (each leaves a `[V]` logits row per position). */
const BATCH = 64;
/** Encoder queries per engine call (each leaves a few class logits). */
const ENCODER_BATCH = 1024;

/**
 * What the server's queries of ONE public plain model gave, kept so that attacking several encrypted
 * folders of that model queries it once (`ee attack-report` runs every scheme on the same plain model).
 */
export interface PlainQueryCache {
  /** The plain folder these answers came from (path); a cache is never used for another. */
  dir: string;
  /** Oracle signatures of the plain model, once queried. */
  oracle?: Matrix;
  /** Residual states of the plain model, once queried (per layer, and a decoder's BOS position's). */
  residual?: { layers: Matrix[]; bos: Matrix | null };
}

/** Progress callback: (queries done, queries in all). */
export type OracleProgress = (done: number, total: number) => void;

/** The folder opened with the default engine, as the server runs it. */
async function open(dir: string): Promise<Engine> {
  return getEngine(DEFAULT_ENGINE).open(dir, { threads: 2 });
}

async function decoderSignatures(dir: string, onProgress?: OracleProgress): Promise<Matrix> {
  const cfg = readModelFolder(dir).cfg as { vocabSize: number; bosTokenId?: number | null };
  const engine = await open(dir);
  try {
    const stepper = engine.stepper;
    if (!stepper) throw new Error(`${dir}: the ${engine.info.name} engine has no step-wise decoding`);
    const V = engine.outputSize;
    const bos = cfg.bosTokenId ?? null;
    const k = Math.min(ORACLE_TOP_K, V);
    const data = new Float32Array(V * k);
    for (let t0 = 0; t0 < V; t0 += BATCH) {
      const n = Math.min(BATCH, V - t0);
      const prompts = Array.from({ length: n }, (_, i) => (bos === null ? [t0 + i] : [bos, t0 + i]));
      const step = await stepper.prefill(prompts);
      data.set(oracleSignatures(step.logits, n, V, k), t0 * k);
      onProgress?.(t0 + n, V);
    }
    return { rows: V, cols: k, data };
  } finally {
    await engine.close();
  }
}

async function encoderSignatures(dir: string, onProgress?: OracleProgress): Promise<Matrix> {
  const V = readModelFolder(dir).cfg.vocabSize;
  const engine = await open(dir);
  try {
    const L = engine.outputSize;
    const data = new Float32Array(V * L);
    for (let t0 = 0; t0 < V; t0 += ENCODER_BATCH) {
      const n = Math.min(ENCODER_BATCH, V - t0);
      const out = await engine.classify(Array.from({ length: n }, (_, i) => [t0 + i]));
      const logits = out.logits.data;
      // raw logits, sorted descending: with few labels a log-softmax would drop a degree of freedom
      for (let b = 0; b < n; b++) {
        const row = Array.from(logits.subarray(b * L, (b + 1) * L)).sort((x, y) => y - x);
        data.set(row, (t0 + b) * L);
      }
      onProgress?.(t0 + n, V);
    }
    return { rows: V, cols: L, data };
  } finally {
    await engine.close();
  }
}

/**
 * Oracle signatures of the plain and the encrypted folder (same architecture). `plainQueries` keeps the
 * plain model's signatures across calls (one plain model, several encrypted folders): the plain side is
 * then queried once.
 */
export async function oracleView(
  plainDir: string,
  encDir: string,
  task: "causal-lm" | "sequence-classification",
  onProgress?: (which: "plain" | "encrypted", done: number, total: number) => void,
  plainQueries?: PlainQueryCache,
): Promise<OracleView> {
  const run = task === "causal-lm" ? decoderSignatures : encoderSignatures;
  const plainSignatures =
    plainQueries?.oracle ?? (await run(plainDir, (d, t) => onProgress?.("plain", d, t)));
  if (plainQueries) plainQueries.oracle = plainSignatures;
  const encryptedSignatures = await run(encDir, (d, t) => onProgress?.("encrypted", d, t));
  return {
    description:
      task === "causal-lm"
        ? `[BOS, t] for all ${plainSignatures.rows} ids → top-${plainSignatures.cols} sorted next-token log-probs`
        : `[t] for all ${plainSignatures.rows} ids → sorted class logits (${plainSignatures.cols})`,
    plainSignatures,
    encryptedSignatures,
  };
}

/**
 * The engine seam. An engine runs a model folder and knows nothing of keys: it is opened on a folder
 * with options, classifies batches of token ids or generates from token-id prompts, and is closed.
 * The EE client (encrypt ids, decrypt logits and ids) wraps any engine, so the VI and EE sides of a
 * benchmark row are the same engine with the same options and differ only in the folder they open.
 *
 * Adding an engine is one folder under `engines/` that exports an `EngineFactory`, plus one row in
 * `engines/registry.ts`. Nothing outside an engine's folder imports its runtime.
 */
import type { Tensor } from "./tensor.js";

/** Where an engine computes. */
export type EngineDevice = "cpu" | "cuda";

/** Options every engine understands; an engine ignores none silently (unknown `extra` keys are errors). */
export interface EngineOptions {
  /** Compute device; default `"cpu"`. An engine without it fails at `open` with a message saying why. */
  device?: EngineDevice;
  /** Threads inside one op (threads); default: the engine's choice. Recorded in every report. */
  threads?: number;
  /** Let idle worker threads spin-wait (flag); default off for benchmarks (an idle side steals cores). */
  allowSpinning?: boolean;
  /** Engine-specific settings (e.g. an http endpoint, a GGUF type); each engine documents its keys. */
  extra?: Readonly<Record<string, string | number | boolean>>;
}

/** Whether an engine can run here, and if not, why (shown by `ee engines`). */
export type EngineAvailability =
  | { readonly available: true; readonly devices: readonly EngineDevice[]; readonly note?: string }
  | { readonly available: false; readonly reason: string; readonly howToInstall?: string };

/** What a report says about the engine that produced a row. */
export interface EngineInfo {
  /** Registry name, as `ee engines` lists it. */
  readonly name: string;
  /** Human label for tables, e.g. `"ORT 1.30 (cpu)"`. */
  readonly label: string;
  /** Version of the underlying runtime (semver string, or `"unknown"`). */
  readonly runtimeVersion: string;
  /** Device it runs on. */
  readonly device: EngineDevice;
  /** Threads inside one op actually used (threads), when the engine knows it. */
  readonly threads?: number;
}

/** A batch of token-id sequences, possibly ragged (token ids; the engine pads). */
export type IdSequences = readonly (readonly number[])[];

/** Result of one `classify` call. */
export interface EngineClassifyResult {
  /** Logits `[B, numLabels]` (nats, unnormalised), one row per input sequence, in order. */
  readonly logits: Tensor<Float32Array>;
  /** Wall time of the engine call, padding and runtime included (ms). */
  readonly latencyMs: number;
}

/** What the engine returns about the first generated position, for fidelity. */
export type FirstStep =
  /** Full next-token logits `[V]` (nats, unnormalised). */
  | { readonly kind: "logits"; readonly logits: Float32Array }
  /** Only the k most likely tokens: ids (descending probability) and their log-probabilities (nats). */
  | { readonly kind: "topk"; readonly ids: Int32Array; readonly logprobs: Float32Array };

/** Options of one `generate` call. Decoding is greedy (argmax); ties go to the lowest id. */
export interface EngineGenerateOptions {
  /** Exactly this many new tokens per prompt unless an EOS stops it first (tokens, ≥ 1). */
  readonly maxNewTokens: number;
  /** Stop tokens (token ids, in the folder's id space); empty or absent = never stop early. */
  readonly eosTokenIds?: readonly number[];
  /** First-step output wanted: full logits (default) or the top-k log-probabilities (k tokens). */
  readonly firstStep?: "logits" | { readonly topK: number };
}

/** One generated sequence. */
export interface EngineSequence {
  /** The new tokens, the stopping EOS included when one was produced (token ids). */
  readonly tokenIds: readonly number[];
  /** Why it stopped. */
  readonly finishReason: "eos" | "length";
  /** The first generated position's logits or top-k log-probabilities. */
  readonly firstStep: FirstStep;
}

/** Result of one `generate` call. */
export interface EngineGenerateResult {
  /** One entry per prompt, in order. */
  readonly sequences: readonly EngineSequence[];
  /** Time to the first token of the batch: prefill plus choosing it (ms). */
  readonly timeToFirstTokenMs: number;
  /** Each later step of the batch (ms), one entry per decode step. */
  readonly perTokenMs: readonly number[];
  /** The whole call (ms). */
  readonly totalMs: number;
}

/** Logits of one prefill or decode step of an `EngineStepper` (ids in the folder's id space). */
export interface StepOutput {
  /** Logits of the last position of each row `[B, V]`, row-major (nats, unnormalised). */
  logits: Float32Array;
  /** Batch size B (sequences). */
  batchSize: number;
  /** Vocabulary size V (tokens). */
  vocabSize: number;
  /** The model's full logits output `[B, T, V]` (`[B, 1, V]` for a last-token-only graph) (nats). */
  allLogits: Float32Array;
  /** Dimensions of `allLogits` (elements per axis). */
  allLogitsDims: number[];
  /** Wall time of the runtime call (ms). */
  latencyMs: number;
}

/**
 * Optional capability of a generate engine: step-wise decoding with the KV cache kept inside the
 * engine. Sampling loops (temperature, top-k, top-p) and a client that samples on its side drive it;
 * engines that only return whole generations (e.g. over HTTP) leave `Engine.stepper` undefined.
 */
export interface EngineStepper {
  /** Stop tokens named by the opened folder's config (token ids, in the folder's id space). */
  readonly eosTokenIds: readonly number[];
  /** Tokens in the current cache, padding included (tokens). */
  readonly cacheLength: number;
  /** Start new sequences (left-padded with `padTokenId`, default 0); last-position logits. */
  prefill(prompts: IdSequences, padTokenId?: number): Promise<StepOutput>;
  /** Append one token per row to the cached sequences; their logits. */
  decode(tokenIds: readonly number[]): Promise<StepOutput>;
}

/** An open model. Every method may be called many times; `close` once, last. */
export interface Engine {
  /** What produced the numbers (for reports). */
  readonly info: EngineInfo;
  /** The task the opened folder serves. */
  readonly task: "classify" | "generate";
  /** Number of labels (classify) or vocabulary size (generate) of the opened model (labels or tokens). */
  readonly outputSize: number;
  /** Longest sequence the model accepts (tokens). */
  readonly maxPositions: number;
  /** Classify each sequence (task `"classify"`; otherwise an error). */
  classify(ids: IdSequences): Promise<EngineClassifyResult>;
  /** Greedy generation from token-id prompts (task `"generate"`; otherwise an error). */
  generate(prompts: IdSequences, opts: EngineGenerateOptions): Promise<EngineGenerateResult>;
  /** Step-wise decoding (generate engines that can expose their KV cache loop; else undefined). */
  readonly stepper?: EngineStepper;
  /** Release the runtime's resources. */
  close(): Promise<void>;
}

/** One registry row: how to know whether an engine is here, and how to open a folder with it. */
export interface EngineFactory {
  /** Registry name used in suites and on the command line. */
  readonly name: string;
  /** One line for `ee engines`. */
  readonly description: string;
  /** Whether it can run here, per device (never throws). */
  availability(): Promise<EngineAvailability>;
  /** Open a model folder (plain or encrypted; the engine cannot tell and must not care). */
  open(folder: string, opts?: EngineOptions): Promise<Engine>;
}

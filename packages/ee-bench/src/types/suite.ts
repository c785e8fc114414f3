/** Suites: `benchmarks/<name>.json` after validation, its rows and their paper counterparts. */
import type { EngineOptions, Launcher } from "ee-models";
import type { DatasetSelection } from "./dataset.js";

/** What a row's model computes, hence what a target call returns. */
export type RowTask = "classify" | "generate";

/** The paper's numbers for a row (Table 2), shown side by side. */
export interface PaperReference {
  /** Model as the paper names it (text). */
  model: string;
  /** The paper's "vLLM?" column (text). */
  vllm: string;
  /** Batch size (samples per call). */
  bs: number;
  /** Vanilla inference total (s). */
  viSec: number;
  /** Encrypted inference total (s). */
  eeSec: number;
  /** ΔT as printed (%). */
  deltaTPct: number;
  /** Fidelity (%). */
  fidelityPct: number;
  /** ΔT standard deviation as printed (%). */
  deltaTStdPct: number;
}

/** One row of a suite (one line of Table 2), fully resolved (defaults applied). */
export interface SuiteRow {
  /** Unique id within the suite, `[a-z0-9._-]+` (text). */
  id: string;
  /** Label in tables, e.g. `BERT-base` or `Llama 3.1-mini (for 8B)` (text). */
  label: string;
  /** ee-models preset name, e.g. `bert-base`, `llama-tiny` (text). */
  model: string;
  /** Classification (encoders) or generation (causal LMs). */
  task: RowTask;
  /** Encryption scheme: `full` (default) or `vocab` (text). */
  scheme: string;
  /** Datasets whose samples are concatenated, in order. */
  datasets: DatasetSelection[];
  /** How many times the sample set is run within one repetition; the paper's LLM set is run twice (count). */
  passes: number;
  /** Samples per call; > 1 is the batched-throughput (vLLM) analogue (samples). */
  batchSize: number;
  /** Inputs truncated to this many tokens (tokens). */
  maxLength: number;
  /** Tokens generated per prompt, generation rows only; 0 for classifiers (tokens). */
  maxNewTokens: number;
  /** Timed repetitions of the whole sample set, ≥ 3; with `targetHalfWidthPct`, the minimum (count). */
  repetitions: number;
  /** Adaptive repetitions: add repetitions until the paired ΔT's 95 % half-width is at most this (%). */
  targetHalfWidthPct?: number;
  /** Adaptive repetitions: stop adding when the row's measuring time would pass this; needed with `targetHalfWidthPct` (s). */
  budgetSec?: number;
  /**
   * Per-session re-keying: the EE side is this many copies of the model encrypted under independent keys,
   * every call sent to a copy drawn at random (`RekeyingEngine`); absent = one key (copies, ≥ 2).
   */
  rekeyCopies?: number;
  /** A/A control rows (scheme `control`): the ids of the rows whose noise floor this row measures (row ids). */
  controls?: string[];
  /** Untimed warm-up calls per target before timing (calls). */
  warmup: number;
  /** Seed of the synthetic weights, the key and the sampling (integer). */
  seed: number;
  /** Engine that runs VI and EE (registry name, see `ee engines`); default ee-models' `DEFAULT_ENGINE`. */
  engine: string;
  /** Options for that engine, the same for VI and EE (threads, spinning, engine-specific `extra`). */
  engineOptions?: EngineOptions;
  /** Where VI and EE run: both in this process, or each in its own child process. */
  launcher: Launcher;
  /** Servers of an `http` row (required for it): VI and EE over the wire. */
  servers?: RowServers;
  /** Runtime column override (text); absent = the engine's label (`Engine.info.label`, `batched (bs N)` for bs > 1). */
  runtime?: string;
  /** Free note shown under the table, e.g. why a preset stands in for another (text). */
  note?: string;
  /** The paper's numbers for this row, if it has a counterpart. */
  paper?: PaperReference;
}

/**
 * How an `http` row reaches its servers. `serve`: the suite starts `ee serve` on loopback for the plain
 * folder (a tokenizer-free view of it) and for the encrypted one, drives each with the http engine
 * (`engineOptions.extra.concurrency` requests in flight; the EE side behind the client), and stops them.
 * `external`: servers someone else runs (vLLM, TGI, llama.cpp's server, `ee serve`); the suite builds
 * and encrypts nothing.
 */
export type RowServers = ServeServers | ExternalServers;

/** The suite starts `ee serve` for VI and EE itself. */
export interface ServeServers {
  /** The suite starts the servers itself. */
  kind: "serve";
  /** Each server's `--max-concurrency`: prompts batched into one engine call (prompts). */
  maxConcurrency: number;
}

/**
 * Two running OpenAI-compatible servers: `vi` serves the plain model, `ee` the encrypted one. The row's
 * `model` preset supplies the tokenizer and the shapes; the client's copy of the encrypted folder
 * supplies ee.json (checked against the key) and the vocabulary size (checked against the preset).
 */
export interface ExternalServers {
  /** Servers run by someone else. */
  kind: "external";
  /** Base URL of the server of the plain model (URL, e.g. `http://gpu-host:8000`). */
  vi: string;
  /** Base URL of the server of the encrypted model (URL). */
  ee: string;
  /** The client's copy of the encrypted folder, for ee.json and config.json (absolute path). */
  encryptedFolder: string;
  /** The client's key file of that folder (absolute path; secret, never sent). */
  key: string;
  /** Where this object is in the suite, for errors: `<file>: /rows/N/servers/external` (text). */
  at: string;
}

/** A suite file `benchmarks/<name>.json` after validation. */
export interface Suite {
  /** Suite name (text). */
  name: string;
  /** One line for listings (text). */
  description: string;
  /** Per-call latency micro-benchmark with tinybench: iterations per target (calls); 0 disables. */
  microbenchIterations: number;
  /** The rows, in order. */
  rows: SuiteRow[];
}

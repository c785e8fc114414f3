/** Suites: `benchmarks/<name>.json` after validation, its rows and their paper counterparts. */
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
  /** Timed repetitions of the whole sample set, ≥ 3 (count). */
  repetitions: number;
  /** Untimed warm-up calls per target before timing (calls). */
  warmup: number;
  /** Seed of the synthetic weights, the key and the sampling (integer). */
  seed: number;
  /** Runtime column, our "vLLM?" analogue, e.g. `ORT` or `ORT batched` (text). */
  runtime: string;
  /** Free note shown under the table, e.g. why a preset stands in for another (text). */
  note?: string;
  /** The paper's numbers for this row, if it has a counterpart. */
  paper?: PaperReference;
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

/** Datasets: what a suite row selects, what loading yields, and the issues found on the way. */
import type { BenchSample } from "./sample.js";

/** A malformed or unreadable input row: counted and reported, never silently dropped. */
export interface DatasetIssue {
  /** Registry name of the dataset (text). */
  dataset: string;
  /** File the row is in, relative to the data directory when inside it (path). */
  file: string;
  /** 1-based line (JSONL/CSV) or array index + 1 (JSON lists) of the row; absent for whole files (line). */
  line?: number;
  /** What is wrong (text). */
  reason: string;
}

/** What a suite row asks of one dataset. */
export interface DatasetSelection {
  /** Registry name: `imdb`, `mt-bench`, `sharegpt`, `sharegpt-conversations` (text). */
  name: string;
  /** How many samples to draw; default: the paper's count for that dataset (samples). */
  count?: number;
  /** MT-Bench: which turn is the prompt, 1 (default) or 2 (turn index). */
  turn?: 1 | 2;
  /** ShareGPT: drop prompts shorter than this many tokens, vLLM uses 4 (tokens). Needs a tokenizer. */
  minPromptTokens?: number;
  /** ShareGPT: drop prompts longer than this many tokens, vLLM uses 1024 (tokens). Needs a tokenizer. */
  maxPromptTokens?: number;
  /** Read this file or folder (relative to the data directory) instead of the manifest's (path). */
  path?: string;
  /** Force a file format instead of guessing from `path`: a key of the format registry (text). */
  format?: string;
}

/** A dataset after loading and sampling. */
export interface LoadedDataset {
  /** Registry name (text). */
  name: string;
  /** The drawn samples, in run order (samples). */
  samples: BenchSample[];
  /** Rows that were malformed or unreadable (rows). */
  issues: DatasetIssue[];
  /** Rows that were valid but filtered out by rule (e.g. conversation not starting with a human turn) (rows). */
  filteredCount: number;
  /** Valid rows available before sampling (rows). */
  availableCount: number;
  /** Samples asked for (samples); more than `samples.length` when too few rows exist. */
  requestedCount: number;
  /** Files that were read, relative to the data directory (paths). */
  files: string[];
}

/** Context a dataset loader runs in. */
export interface DatasetLoadContext {
  /** The data directory (absolute path). */
  dataDir: string;
  /** Seed of the sampling (integer). */
  seed: number;
  /** Check each file read against the sha256 in the manifest / `<dataDir>/MANIFEST.tsv` (flag). */
  verify?: boolean;
  /** Token counter for length filters (tokens per text); absent → length filters are an error. */
  countTokens?: (text: string) => number;
}

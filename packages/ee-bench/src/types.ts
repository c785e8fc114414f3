/**
 * Public types of ee-bench. Every field has a doc line and, where it has one, its unit.
 *
 * The runner only knows the abstract `BenchTarget` below; real targets (a plain and an encrypted
 * model in one engine) are made by a `TargetFactory` in `src/targets/`, fake ones in tests.
 */
import type { EngineOptions, Launcher } from "ee-models";

// ───────────────────────────── datasets ─────────────────────────────

/** One review or prompt fed to a target. */
export interface BenchSample {
  /** Id unique within its dataset, e.g. `pos/12_9`, `81`, `fzcoUcK_0` (text). */
  id: string;
  /** The review or prompt (UTF-8 text). */
  text: string;
  /** Gold class for classification data (class id); absent for prompts. */
  label?: number;
  /** Registry name of the dataset it came from (text). */
  dataset: string;
}

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

/** A `datasets/<name>.json` manifest: which files a dataset reads, relative to the data directory. */
export interface DatasetManifest {
  /** Registry name, equal to the file name without `.json` (text). */
  name: string;
  /** One line for listings (text). */
  description: string;
  /** Format registry key used to parse the files (text). */
  format: string;
  /** Files or folders to read, relative to the data directory (paths). */
  paths: string[];
  /** Paper sampling default (samples). */
  defaultCount: number;
  /** Expected sha256 of single files, keyed by path relative to the data directory (hex). */
  sha256?: Record<string, string>;
  /** Where the files come from, for the error message when they are missing (text). */
  source: string;
}

/** What a file-format reader gets besides the path. */
export interface FormatReadContext {
  /** Registry name of the dataset being read, for issues (text). */
  dataset: string;
  /** The data directory, to print paths relative to it (absolute path). */
  dataDir: string;
  /** MT-Bench: which turn is the prompt (turn index, 1 or 2). */
  turn: 1 | 2;
}

/** Rows parsed from one file or folder, before sampling. */
export interface FormatReadResult {
  /** Valid rows in file order (samples). */
  rows: BenchSample[];
  /** Malformed or unreadable rows (rows). */
  issues: DatasetIssue[];
  /** Valid rows dropped by rule, e.g. a conversation not starting with a human turn (rows). */
  filteredCount: number;
  /** Files read, relative to the data directory (paths). */
  files: string[];
}

/** One file format, registered by name in `datasets/registry.ts`. */
export interface DatasetFormat {
  /** Registry key, e.g. `aclimdb`, `jsonl-mtbench`, `sharegpt-json` (text). */
  name: string;
  /** One line for listings (text). */
  description: string;
  /** Parses a file or folder (absolute path). */
  read(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult>;
}

// ───────────────────────────── suites ─────────────────────────────

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
  /** Engine that runs VI and EE (registry name, see `ee engines`); default ee-models' `DEFAULT_ENGINE`. */
  engine: string;
  /** Options for that engine, the same for VI and EE (threads, spinning, engine-specific `extra`). */
  engineOptions?: EngineOptions;
  /** Where VI and EE run: both in this process, or each in its own child process. */
  launcher: Launcher;
  /** Runtime column override (text); absent = the engine's label (`Engine.info.label`, `batched (bs N)` for bs > 1). */
  runtime?: string;
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

// ───────────────────────────── targets ─────────────────────────────

/** Vanilla (plain) or encrypted inference. */
export type TargetKind = "vi" | "ee";

/** What a target returns for one sample. */
export interface TargetOutput {
  /** Predicted class (classifiers) or first generated token id, decrypted (id). */
  predicted: number;
  /** Softmax probability of `predicted` (0..1). */
  confidence: number;
  /** The logits `predicted` came from (class logits, or first-step vocabulary logits), decrypted (logits). */
  logits?: Float32Array;
  /** Generated token ids, decrypted (ids); generation rows only. */
  tokens?: number[];
}

/** Something that runs a batch of samples: a plain or an encrypted model plus (for EE) its client. */
export interface BenchTarget {
  /** Which side of the comparison this is. */
  readonly kind: TargetKind;
  /** One call over a batch; one output per sample in order. EE includes the client's encrypt/decrypt. */
  run(batch: readonly BenchSample[]): Promise<TargetOutput[]>;
  /** Frees sessions (optional). */
  close?(): Promise<void>;
}

/** The two targets of a row plus facts about how they were made. */
export interface TargetPair {
  /** Plain model. */
  vi: BenchTarget;
  /** Encrypted model + client. */
  ee: BenchTarget;
  /** Facts for config/env (model dirs, key fingerprint, build and encrypt seconds…) (JSON values). */
  info: Record<string, unknown>;
  /** Token counter of the row's tokenizer, used by dataset length filters (tokens per text). */
  countTokens?: (text: string) => number;
  /** Untimed preparation of the row's samples (e.g. tokenizing once), called before warm-up. */
  prepare?(samples: readonly BenchSample[]): Promise<void>;
}

/** Context a target factory runs in. */
export interface TargetFactoryContext {
  /** Where built/encrypted models are cached (absolute path). */
  cacheDir: string;
  /** The data directory (absolute path). */
  dataDir: string;
  /** Execution provider, `cpu` (default) or `cuda` (text). */
  device: string;
  /** Engine intra-op threads; absent = the engine's default (threads). */
  threads?: number;
  /** Progress/log line sink (text). */
  log: (line: string) => void;
}

/** Builds or loads the plain and encrypted targets of a row. */
export type TargetFactory = (row: SuiteRow, ctx: TargetFactoryContext) => Promise<TargetPair>;

// ───────────────────────────── records ─────────────────────────────

/** One timed call, one line of `samples.jsonl`. A call covers `batchSize` samples (1 for bs 1 rows). */
export interface SampleRecord {
  /** Record format version. */
  v: 1;
  /** Suite row id (text). */
  row: string;
  /** Repetition index, 0-based (index). */
  rep: number;
  /** Call index within the repetition, 0-based, over passes × batches (index). */
  call: number;
  /** Which target ran. */
  target: TargetKind;
  /** Position of this target within its interleaved pair: 0 ran first, 1 second (index). */
  order: 0 | 1;
  /** Ids of the samples in the call (ids). */
  sampleIds: string[];
  /** Wall time of the call, EE including the client's encrypt/decrypt (ms). */
  latencyMs: number;
  /** Predicted class / first token per sample (ids). */
  predicted: number[];
  /** Confidence of the prediction per sample (0..1). */
  confidence: number[];
  /** Short sha256 of each sample's logits as float32 bytes; empty string when not returned (hex). */
  logitDigest: string[];
  /** EE records: max over the call's samples of max |logit_EE − logit_VI|; VI records: 0; null when logits were not returned (logits). */
  maxAbsLogitDiff: number | null;
  /** Generated tokens per sample (generation rows) (tokens). */
  generatedTokens?: number[];
}

/** Per-call latency statistics of one target from tinybench (one fixed sample, repeated calls). */
export interface MicrobenchResult {
  /** Suite row id (text). */
  row: string;
  /** Which target. */
  target: TargetKind;
  /** Calls measured (calls). */
  iterations: number;
  /** Mean latency (ms). */
  meanMs: number;
  /** Median latency (ms). */
  p50Ms: number;
  /** 99th percentile latency (ms). */
  p99Ms: number;
  /** Standard deviation of latency (ms). */
  sdMs: number;
  /** Relative margin of error of the mean at 95 % (%). */
  rmePct: number;
}

// ───────────────────────────── summary ─────────────────────────────

/** The statistics of one row, from its records. */
export interface RowSummary {
  /** Suite row id (text). */
  row: string;
  /** Label in tables (text). */
  label: string;
  /** Runtime column (text). */
  runtime: string;
  /** Batch size (samples per call). */
  batchSize: number;
  /** Samples per repetition, passes included (samples). */
  samplesPerRep: number;
  /** Repetitions with all calls present (count). */
  completeReps: number;
  /** Mean over complete repetitions of the VI total (s). */
  viSec: number;
  /** Mean over complete repetitions of the EE total (s). */
  eeSec: number;
  /** (EE − VI) / VI × 100 from the two means (%). */
  deltaTPct: number;
  /** Per-repetition ΔT values (%). */
  deltaTPerRepPct: number[];
  /** Standard deviation of per-repetition ΔT (%). */
  deltaTStdPct: number;
  /** 95 % t-interval of the mean per-repetition ΔT: [low, high] (%). */
  deltaTCi95Pct: [number, number];
  /** Paper Eq. 4 on the confidence of the predicted class / first token (%). */
  fidelityPct: number;
  /** Share of samples where VI and EE predict the same class / first token (%). */
  argmaxAgreementPct: number;
  /** Largest |logit_EE − logit_VI| over all samples (logits). */
  maxAbsLogitDiff: number;
  /** Median per-call VI latency (ms). */
  viLatencyP50Ms: number;
  /** 90th percentile per-call VI latency (ms). */
  viLatencyP90Ms: number;
  /** Median per-call EE latency (ms). */
  eeLatencyP50Ms: number;
  /** 90th percentile per-call EE latency (ms). */
  eeLatencyP90Ms: number;
  /** tinybench per-call statistics, when measured. */
  microbench: MicrobenchResult[];
  /** The paper's numbers, when the row has a counterpart. */
  paper?: PaperReference;
  /** Note shown under the table (text). */
  note?: string;
}

/** `summary.json`. */
export interface RunSummary {
  /** Run id, the folder name (text). */
  runId: string;
  /** Suite name (text). */
  suite: string;
  /** sha256 of the resolved configuration (hex). */
  configHash: string;
  /** One entry per row with records. */
  rows: RowSummary[];
  /** Malformed dataset rows found while loading (rows). */
  datasetIssues: DatasetIssue[];
  /** Warning lines emitted by the run (text). */
  warnings: string[];
}

/** `config.json`: what was run, exactly. Its hash guards `--resume`. */
export interface RunConfig {
  /** Config format version. */
  v: 1;
  /** Suite as resolved. */
  suite: Suite;
  /** Sample ids per row, in run order (ids). */
  sampleIds: Record<string, string[]>;
  /** sha256 over suite + sample ids (hex). */
  configHash: string;
  /** Execution provider (text). */
  device: string;
  /** Engine intra-op threads, absent = default (threads). */
  threads?: number;
}

// ───────────────────────────── compare ─────────────────────────────

/** One row compared between a baseline run (a) and a candidate run (b). */
export interface CompareRow {
  /** Suite row id (text). */
  row: string;
  /** ΔT of the baseline (%). */
  deltaTPctA: number;
  /** ΔT of the candidate (%). */
  deltaTPctB: number;
  /** ΔT_b − ΔT_a; positive = EE overhead got worse (percentage points). */
  changePts: number;
  /** Welch t-test p-value on per-repetition ΔT, NaN with < 2 reps on a side (probability). */
  welchP: number;
  /** EE total of the baseline (s). */
  eeSecA: number;
  /** EE total of the candidate (s). */
  eeSecB: number;
  /** Mann-Whitney U p-value on per-call EE latencies a vs b (probability). */
  eeLatencyMannWhitneyP: number;
  /** Fidelity of the baseline (%). */
  fidelityPctA: number;
  /** Fidelity of the candidate (%). */
  fidelityPctB: number;
  /** True when `changePts` exceeds the `--fail-above` threshold (flag). */
  failed: boolean;
}

/** `ee compare`'s result. */
export interface CompareResult {
  /** Baseline run folder (path). */
  runA: string;
  /** Candidate run folder (path). */
  runB: string;
  /** Threshold, absent when not gating (percentage points). */
  failAbovePts?: number;
  /** Rows present in both runs. */
  rows: CompareRow[];
  /** Warnings, e.g. rows present in only one run (text). */
  warnings: string[];
}

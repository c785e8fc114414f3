/** `summary.json`: the statistics of each row and of the run. */

import type { DatasetIssue } from "./dataset.js";
import type { MicrobenchResult } from "./microbench.js";
import type { AdaptiveStop, ControlComparison, RowLoad, RowPairedDeltaT } from "./row-statistics.js";
import type { PaperReference } from "./suite.js";

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
  /** Paired ΔT from the per-call log ratios (order-balanced, t-interval over repetitions); absent below 2 repetitions. */
  paired?: RowPairedDeltaT;
  /** Minimum repetitions the row asked for (count). */
  plannedReps: number;
  /** Adaptive rows: why repetitions stopped; absent for fixed rows. */
  stop?: AdaptiveStop;
  /** The row's A/A control, when the suite has one for it and both have a paired ΔT. */
  control?: ControlComparison;
  /** Load average before and after the row, when recorded. */
  load?: RowLoad;
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

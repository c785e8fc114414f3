/** `ee compare`: two runs row by row. */

/** One row compared between a baseline run (a) and a candidate run (b). */
export interface CompareRow {
  /** Suite row id (text). */
  row: string;
  /** Paired ΔT of the baseline (ee-core `pairedDeltaT`) (%). */
  deltaTPctA: number;
  /** Paired ΔT of the candidate (%). */
  deltaTPctB: number;
  /** 95 % interval of the baseline's paired ΔT: [low, high] (%). */
  ci95PctA: [number, number];
  /** 95 % interval of the candidate's paired ΔT: [low, high] (%). */
  ci95PctB: [number, number];
  /** ΔT_b − ΔT_a; positive = EE overhead got worse (percentage points). */
  changePts: number;
  /** Welch t-test p-value on the per-repetition order-balanced log ratios a vs b, NaN when it cannot be computed (probability). */
  welchP: number;
  /** Per-repetition-total ΔT of the baseline, the paper-compatible column (%). */
  totalsDeltaTPctA: number;
  /** Per-repetition-total ΔT of the candidate (%). */
  totalsDeltaTPctB: number;
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
  /** Rows with a paired ΔT in both runs. */
  rows: CompareRow[];
  /**
   * What the candidate lacks: baseline rows absent or without a paired ΔT in it, and rows with fewer
   * complete repetitions than the baseline or than their suite asks for. Non-empty fails the gate (text).
   */
  missing: string[];
  /** Warnings, e.g. rows only the candidate has (text). */
  warnings: string[];
}

/** `ee compare`: two runs row by row. */

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

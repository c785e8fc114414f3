/**
 * The one catalog of warning messages ee-bench prints. Code refers to a warning by its key; the
 * text lives only here, so wording stays consistent and every warning can be listed.
 */
import type { DatasetIssue } from "./types.js";

/** Warning key → message builder. */
export const WARNINGS = {
  datasetIssues: (dataset: string, count: number, first: DatasetIssue) =>
    `dataset ${dataset}: ${count} malformed row(s) skipped and reported in summary.json; first: ${formatIssue(first)}`,
  datasetShort: (dataset: string, wanted: number, got: number) =>
    `dataset ${dataset}: asked for ${wanted} samples but only ${got} valid rows exist; using ${got}`,
  truncatedRecord: (file: string, line: number) =>
    `${file}:${line}: incomplete last record (interrupted write) dropped; it will be re-measured`,
  unpairedRecord: (file: string, key: string) =>
    `${file}: record ${key} has no partner (interrupted pair) and is re-measured`,
  fewReps: (row: string, reps: number) =>
    `row ${row}: only ${reps} complete repetition(s); ΔT Std and the 95 % interval need ≥ 2 (≥ 3 recommended)`,
  fidelityLow: (row: string, fidelityPct: number) =>
    `row ${row}: fidelity ${fidelityPct.toFixed(6)} % is below 99.9999 %; EE outputs differ from VI beyond fp32 rounding`,
  argmaxDisagree: (row: string, agreementPct: number) =>
    `row ${row}: VI and EE disagree on the prediction for ${(100 - agreementPct).toFixed(3)} % of samples`,
  chartRenderFailed: (chart: string, reason: string) =>
    `chart ${chart}: rendering failed (${reason}); spec kept`,
  noGit: () => "git not available or not a repository: env.json has no commit",
  loadHigh: (row: string, before: number, after: number, cores: number) =>
    `row ${row}: load average ${before.toFixed(2)} before / ${after.toFixed(2)} after exceeds the ${cores} cores; its timings include waiting for a core (run on a quiet machine for the README)`,
  rowMissingInOther: (row: string, run: string) => `row ${row} is not in ${run}; not compared`,
} as const;

/** A warning key. */
export type WarningKey = keyof typeof WARNINGS;

/** `file:line: reason` for one dataset issue. */
export function formatIssue(issue: DatasetIssue): string {
  return `${issue.file}${issue.line === undefined ? "" : `:${issue.line}`}: ${issue.reason}`;
}

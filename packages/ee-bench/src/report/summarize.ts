/**
 * Row statistics from the raw records: the paired ΔT (ee-core `pairedDeltaT`: per-call log ratios,
 * order-balanced, t-interval over repetitions, median-based estimate, minimum detectable effect),
 * the paper-compatible totals per repetition (ΔT from the mean totals, sd and 95 % t-interval of
 * per-repetition ΔT), the adaptive stop, each row beside its A/A control, fidelity (paper Eq. 4),
 * argmax agreement, max |Δlogit|, and per-call latency percentiles. Only repetitions with every call
 * present count.
 */
import { argmaxAgreement, deltaTPct, deltaTSummary, fidelity, pairedDeltaT, percentile } from "ee-core";
import { planCalls } from "../runner/interleave.js";
import { pairKey } from "../runner/samples-log.js";
import type {
  BenchSample,
  DatasetIssue,
  MicrobenchResult,
  RowSummary,
  RunConfig,
  RunSummary,
  SampleRecord,
  SuiteRow,
} from "../types.js";
import { WARNINGS } from "../warnings.js";
import { attachControls } from "./noise-floor.js";
import { pairObservations } from "./pairs.js";

/** Calls per repetition of a row with `n` samples. */
function callsPerRep(row: SuiteRow, n: number): number {
  const fake: BenchSample[] = Array.from({ length: n }, (_, i) => ({ id: String(i), text: "", dataset: "" }));
  return planCalls(fake, row.passes, row.batchSize).length;
}

/**
 * Summary of one row; `warn` receives the row's warnings. The runtime column is the row's override,
 * else `runtime` (what the row's engine reported when it was opened), else the engine's name.
 */
export function summarizeRow(
  row: SuiteRow,
  sampleCount: number,
  records: readonly SampleRecord[],
  microbench: readonly MicrobenchResult[],
  warn: (line: string) => void,
  runtime?: string,
): RowSummary | undefined {
  const nCalls = callsPerRep(row, sampleCount);
  const byRep = new Map<number, SampleRecord[]>();
  for (const r of records) byRep.set(r.rep, [...(byRep.get(r.rep) ?? []), r]);
  const reps = [...byRep.keys()].filter((rep) => byRep.get(rep)!.length === 2 * nCalls).sort((a, b) => a - b);
  if (reps.length === 0) return undefined;
  const total = (rs: SampleRecord[], t: string) =>
    rs.filter((r) => r.target === t).reduce((s, r) => s + r.latencyMs, 0) / 1000;
  const viPerRep = reps.map((rep) => total(byRep.get(rep)!, "vi"));
  const eePerRep = reps.map((rep) => total(byRep.get(rep)!, "ee"));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const viSec = mean(viPerRep);
  const eeSec = mean(eePerRep);
  const perRep = reps.map((_, i) => deltaTPct(eePerRep[i], viPerRep[i]));
  let sdPct = Number.NaN;
  let ci: [number, number] = [Number.NaN, Number.NaN];
  if (perRep.length >= 2) {
    const s = deltaTSummary(perRep);
    sdPct = s.sd;
    ci = [s.ci95.low, s.ci95.high];
  }
  if (perRep.length < 3) warn(WARNINGS.fewReps(row.id, perRep.length));

  // Pair VI and EE records of the same call, sample by sample.
  const kept = records.filter((r) => reps.includes(r.rep));
  const vis = new Map(kept.filter((r) => r.target === "vi").map((r) => [pairKey(r), r]));
  const sVI: number[] = [];
  const sEE: number[] = [];
  const pVI: number[] = [];
  const pEE: number[] = [];
  let maxDiff = 0;
  let diffKnown = true;
  for (const ee of kept.filter((r) => r.target === "ee")) {
    const vi = vis.get(pairKey(ee))!;
    sVI.push(...vi.confidence);
    sEE.push(...ee.confidence);
    pVI.push(...vi.predicted);
    pEE.push(...ee.predicted);
    if (ee.maxAbsLogitDiff === null) diffKnown = false;
    else maxDiff = Math.max(maxDiff, ee.maxAbsLogitDiff);
  }
  const fidelityPct = fidelity(sEE, sVI) * 100;
  const argmaxAgreementPct = argmaxAgreement(pEE, pVI) * 100;
  if (fidelityPct < 99.9999) warn(WARNINGS.fidelityLow(row.id, fidelityPct));
  if (argmaxAgreementPct < 100) warn(WARNINGS.argmaxDisagree(row.id, argmaxAgreementPct));
  const lat = (t: string) => kept.filter((r) => r.target === t).map((r) => r.latencyMs);
  const paired = reps.length >= 2 ? pairedDeltaT(pairObservations(kept)) : undefined;
  const summary: RowSummary = {
    row: row.id,
    label: row.label,
    runtime: row.runtime ?? runtime ?? row.engine,
    batchSize: row.batchSize,
    samplesPerRep: sampleCount * row.passes,
    completeReps: reps.length,
    viSec,
    eeSec,
    deltaTPct: deltaTPct(eeSec, viSec),
    deltaTPerRepPct: perRep,
    deltaTStdPct: sdPct,
    deltaTCi95Pct: ci,
    plannedReps: row.repetitions,
    fidelityPct,
    argmaxAgreementPct,
    maxAbsLogitDiff: diffKnown ? maxDiff : Number.NaN,
    viLatencyP50Ms: percentile(lat("vi"), 50),
    viLatencyP90Ms: percentile(lat("vi"), 90),
    eeLatencyP50Ms: percentile(lat("ee"), 50),
    eeLatencyP90Ms: percentile(lat("ee"), 90),
    microbench: microbench.filter((m) => m.row === row.id),
  };
  if (paired) summary.paired = paired;
  // An adaptive row's stop, once its minimum repetitions are complete (before that, it is incomplete).
  if (row.targetHalfWidthPct !== undefined && reps.length >= row.repetitions) {
    const hw = paired?.halfWidthPct ?? Number.POSITIVE_INFINITY;
    summary.stop = {
      kind: hw <= row.targetHalfWidthPct ? "target-met" : "budget-ended",
      reps: reps.length,
      halfWidthPct: hw,
    };
  }
  if (row.paper) summary.paper = row.paper;
  if (row.note) summary.note = row.note;
  return summary;
}

/** Summary of a run from its config and records. */
export function summarizeRun(
  runId: string,
  config: RunConfig,
  records: readonly SampleRecord[],
  microbench: readonly MicrobenchResult[],
  datasetIssues: readonly DatasetIssue[],
  extraWarnings: readonly string[] = [],
  runtimes: Readonly<Record<string, string>> = {},
): RunSummary {
  const warnings = [...extraWarnings];
  const rows: RowSummary[] = [];
  for (const row of config.suite.rows) {
    const n = config.sampleIds[row.id]?.length ?? 0;
    const s = summarizeRow(
      row,
      n,
      records.filter((r) => r.row === row.id),
      microbench,
      (w) => warnings.push(w),
      runtimes[row.id],
    );
    if (s) rows.push(s);
  }
  attachControls(rows, config.suite.rows);
  return {
    runId,
    suite: config.suite.name,
    configHash: config.configHash,
    rows,
    datasetIssues: [...datasetIssues],
    warnings,
  };
}

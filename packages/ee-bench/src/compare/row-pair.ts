/**
 * One row against another — two variants inside one run (`full` vs `vocab`, two engines of the same
 * model) or a row of one run against a row of another — with the same estimator as `compareRuns`:
 * each row's paired ΔT and interval (ee-core `pairedDeltaT`, via the summary), a Welch t-test on the
 * two rows' per-repetition log ratios, and a Mann-Whitney U test on their per-call EE latencies.
 */
import { mannWhitneyU, welchTTest } from "ee-core";
import { readRunJson } from "../report/write-report.js";
import type { CompareResult, RowSummary, RunConfig, SampleRecord } from "../types.js";
import { loadRun } from "./compare.js";

function safeP(f: () => { pValue: number }): number {
  try {
    return f().pValue;
  } catch {
    return Number.NaN;
  }
}

/** A row of a loaded run, with a clear error when absent or without a paired ΔT. */
function pickRow(runDir: string, rows: readonly RowSummary[], id: string): RowSummary {
  const r = rows.find((x) => x.row === id);
  if (!r) throw new Error(`${runDir}: no row "${id}" (rows: ${rows.map((x) => x.row).join(", ")})`);
  if (!r.paired)
    throw new Error(
      `${runDir}: row "${id}" has ${r.completeReps} complete repetition(s), no paired ΔT (needs ≥ 2)`,
    );
  return r;
}

/** The model of suite row `row` in the run's config.json (text). */
function modelOf(runDir: string, row: string): string {
  const m = readRunJson<RunConfig>(runDir, "config.json").suite.rows.find((r) => r.id === row)?.model;
  if (m === undefined) throw new Error(`${runDir}/config.json: no suite row "${row}"`);
  return m;
}

/**
 * Compares row `rowB` of `runB` (candidate) with row `rowA` of `runA` (baseline); both rows must run
 * the same model. `failAbovePts` marks the comparison failed when ΔT_b − ΔT_a exceeds it.
 */
export function compareRowPair(
  runA: string,
  rowA: string,
  runB: string,
  rowB: string,
  failAbovePts?: number,
): CompareResult {
  const a = loadRun(runA);
  const b = runB === runA ? a : loadRun(runB);
  const ra = pickRow(runA, a.summary.rows, rowA);
  const rb = pickRow(runB, b.summary.rows, rowB);
  const [ma, mb] = [modelOf(runA, rowA), modelOf(runB, rowB)];
  if (ma !== mb)
    throw new Error(
      `rows "${rowA}" (${ma}) and "${rowB}" (${mb}) run different models; compare variants of one model`,
    );
  const eeLat = (recs: SampleRecord[], row: string) =>
    recs.filter((r) => r.row === row && r.target === "ee").map((r) => r.latencyMs);
  const pa = ra.paired as NonNullable<RowSummary["paired"]>;
  const pb = rb.paired as NonNullable<RowSummary["paired"]>;
  const changePts = pb.deltaTPct - pa.deltaTPct;
  const result: CompareResult = {
    runA,
    runB,
    rows: [
      {
        row: `${rowA} → ${rowB}`,
        deltaTPctA: pa.deltaTPct,
        deltaTPctB: pb.deltaTPct,
        ci95PctA: pa.ci95Pct,
        ci95PctB: pb.ci95Pct,
        changePts,
        welchP: safeP(() => welchTTest(pa.perRepLogRatio, pb.perRepLogRatio)),
        totalsDeltaTPctA: ra.deltaTPct,
        totalsDeltaTPctB: rb.deltaTPct,
        eeSecA: ra.eeSec,
        eeSecB: rb.eeSec,
        eeLatencyMannWhitneyP: safeP(() => mannWhitneyU(eeLat(a.records, rowA), eeLat(b.records, rowB))),
        fidelityPctA: ra.fidelityPct,
        fidelityPctB: rb.fidelityPct,
        failed: failAbovePts !== undefined && changePts > failAbovePts,
      },
    ],
    missing: [],
    warnings: [],
  };
  if (failAbovePts !== undefined) result.failAbovePts = failAbovePts;
  return result;
}

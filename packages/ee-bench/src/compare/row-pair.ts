/**
 * One row against another — two variants inside one run (`full` vs `vocab`, two engines of the same
 * model) or a row of one run against a row of another — with the same estimator as `compareRuns`:
 * each row's paired ΔT and interval (ee-core `pairedDeltaT`, via the summary), a Welch t-test on the
 * two rows' per-repetition log ratios, and a Mann-Whitney U test on their per-call EE latencies.
 */
import { readRunJson } from "../report/write-report.js";
import type { CompareResult, RowSummary, RunConfig } from "../types.js";
import { compareRow, loadRun } from "./compare.js";

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
  const pa = ra.paired as NonNullable<RowSummary["paired"]>;
  const pb = rb.paired as NonNullable<RowSummary["paired"]>;
  const result: CompareResult = {
    runA,
    runB,
    rows: [
      compareRow(
        `${rowA} → ${rowB}`,
        { ...ra, paired: pa },
        a.records,
        { ...rb, paired: pb },
        b.records,
        failAbovePts,
      ),
    ],
    missing: [],
    warnings: [],
  };
  if (failAbovePts !== undefined) result.failAbovePts = failAbovePts;
  return result;
}

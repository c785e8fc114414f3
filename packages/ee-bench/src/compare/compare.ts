/**
 * Two runs row by row with the paired estimator (ee-core `pairedDeltaT`, the same as the report's):
 * paired ΔT a vs b with their intervals, a Welch t-test on the per-repetition log ratios, a
 * Mann-Whitney U test on per-call EE latencies, the paper-compatible totals ΔT, fidelity, and the
 * `--fail-above` regression gate, which also fails when the candidate lacks rows or repetitions.
 */
import { join } from "node:path";
import { mannWhitneyU, welchTTest } from "ee-core";
import { summarizeRun } from "../report/summarize.js";
import { readRunJson } from "../report/write-report.js";
import { readSampleRecords } from "../runner/samples-log.js";
import type { CompareResult, CompareRow, RowSummary, RunConfig, RunSummary, SampleRecord } from "../types.js";
import { WARNINGS } from "../warnings.js";

/** A run's summary recomputed from its raw files (nothing written), and its records. */
export function loadRun(runDir: string): { summary: RunSummary; records: SampleRecord[] } {
  const config = readRunJson<RunConfig>(runDir, "config.json");
  const { records } = readSampleRecords(join(runDir, "samples.jsonl"));
  return { summary: summarizeRun(runDir, config, records, [], []), records };
}

function safeP(f: () => { pValue: number }): number {
  try {
    return f().pValue;
  } catch {
    return Number.NaN;
  }
}

/** What the candidate lacks for one baseline row, or undefined when nothing. */
function candidateGap(ra: RowSummary, rb: RowSummary | undefined, runB: string): string | undefined {
  if (!rb) return `row ${ra.row}: not in ${runB}`;
  if (!rb.paired)
    return `row ${ra.row}: ${rb.completeReps} complete repetition(s) in ${runB}, no paired ΔT (needs ≥ 2)`;
  if (rb.completeReps < rb.plannedReps)
    return `row ${ra.row}: ${rb.completeReps} of the ${rb.plannedReps} repetitions its suite asks for in ${runB}`;
  if (rb.completeReps < ra.completeReps && ra.stop === undefined)
    return `row ${ra.row}: ${rb.completeReps} complete repetitions in ${runB}, fewer than the baseline's ${ra.completeReps}`;
  return undefined;
}

/** EE latencies (ms) of one row's records. */
function eeLat(recs: SampleRecord[], row: string): number[] {
  return recs.filter((r) => r.row === row && r.target === "ee").map((r) => r.latencyMs);
}

/**
 * One comparison line: row `ra` of run a (records `recsA`) against row `rb` of run b, both with a paired
 * ΔT; `failAbovePts` marks the line failed when the paired ΔT rose by more.
 */
export function compareRow(
  label: string,
  ra: RowSummary & { paired: NonNullable<RowSummary["paired"]> },
  recsA: SampleRecord[],
  rb: RowSummary & { paired: NonNullable<RowSummary["paired"]> },
  recsB: SampleRecord[],
  failAbovePts?: number,
): CompareRow {
  const pa = ra.paired;
  const pb = rb.paired;
  const changePts = pb.deltaTPct - pa.deltaTPct;
  return {
    row: label,
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
    eeLatencyMannWhitneyP: safeP(() => mannWhitneyU(eeLat(recsA, ra.row), eeLat(recsB, rb.row))),
    fidelityPctA: ra.fidelityPct,
    fidelityPctB: rb.fidelityPct,
    failed: failAbovePts !== undefined && changePts > failAbovePts,
  };
}

/** Compares run b against baseline a; `failAbovePts` marks rows whose paired ΔT rose by more. */
export function compareRuns(runA: string, runB: string, failAbovePts?: number): CompareResult {
  const a = loadRun(runA);
  const b = loadRun(runB);
  const warnings: string[] = [];
  const missing: string[] = [];
  const rows: CompareRow[] = [];
  for (const ra of a.summary.rows) {
    const rb = b.summary.rows.find((r) => r.row === ra.row);
    const gap = candidateGap(ra, rb, runB);
    if (gap) missing.push(gap);
    if (!rb?.paired) continue;
    if (!ra.paired) {
      warnings.push(`row ${ra.row}: no paired ΔT in ${runA} (fewer than 2 repetitions); not compared`);
      continue;
    }
    rows.push(
      compareRow(
        ra.row,
        { ...ra, paired: ra.paired },
        a.records,
        { ...rb, paired: rb.paired },
        b.records,
        failAbovePts,
      ),
    );
  }
  for (const rb of b.summary.rows) {
    if (!a.summary.rows.some((r) => r.row === rb.row))
      warnings.push(WARNINGS.rowMissingInOther(rb.row, runA));
  }
  const result: CompareResult = { runA, runB, rows, missing, warnings };
  if (failAbovePts !== undefined) result.failAbovePts = failAbovePts;
  return result;
}

/** Plain-text report of a comparison. */
export function formatCompare(c: CompareResult): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  const sg = (x: number) => (Number.isFinite(x) ? `${x > 0 ? "+" : ""}${x.toFixed(2)}` : "n/a");
  const ci = (x: [number, number]) => `[${sg(x[0])}, ${sg(x[1])}]`;
  const head = [
    "row",
    "ΔT a (%)",
    "95% CI a",
    "ΔT b (%)",
    "95% CI b",
    "change (pts)",
    "Welch p",
    "totals ΔT a/b (%)",
    "EE a (s)",
    "EE b (s)",
    "MWU p (EE lat)",
    "Fid a (%)",
    "Fid b (%)",
    "gate",
  ];
  const lines = c.rows.map((r) => [
    r.row,
    sg(r.deltaTPctA),
    ci(r.ci95PctA),
    sg(r.deltaTPctB),
    ci(r.ci95PctB),
    sg(r.changePts),
    f(r.welchP, 3),
    `${sg(r.totalsDeltaTPctA)} / ${sg(r.totalsDeltaTPctB)}`,
    f(r.eeSecA, 3),
    f(r.eeSecB, 3),
    f(r.eeLatencyMannWhitneyP, 3),
    f(r.fidelityPctA, 6),
    f(r.fidelityPctB, 6),
    c.failAbovePts === undefined ? "-" : r.failed ? `FAIL (> ${c.failAbovePts})` : "ok",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((x, i) => x.padEnd(widths[i])).join("  ");
  return [
    `a: ${c.runA}`,
    `b: ${c.runB}`,
    "ΔT: paired estimate (order-balanced log ratios, 95 % t-interval over repetitions); totals: paper-compatible per-repetition totals",
    fmt(head),
    ...lines.map(fmt),
    ...c.missing.map((m) => `missing in candidate: ${m}`),
    ...c.warnings.map((w) => `warning: ${w}`),
    "",
  ].join("\n");
}

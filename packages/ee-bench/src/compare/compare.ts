/**
 * Two runs row by row: ΔT change with a Welch t-test on per-repetition ΔT, a Mann-Whitney U test on
 * per-call EE latencies, fidelity a vs b, and the `--fail-above` regression gate.
 */
import { join } from "node:path";
import { mannWhitneyU, welchTTest } from "ee-core";
import { summarizeRun } from "../report/summarize.js";
import { readRunJson } from "../report/write-report.js";
import { readSampleRecords } from "../runner/samples-log.js";
import type { CompareResult, CompareRow, RunConfig, RunSummary, SampleRecord } from "../types.js";
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

/** Compares run b against baseline a; `failAbovePts` marks rows whose ΔT rose by more. */
export function compareRuns(runA: string, runB: string, failAbovePts?: number): CompareResult {
  const a = loadRun(runA);
  const b = loadRun(runB);
  const warnings: string[] = [];
  const rows: CompareRow[] = [];
  const eeLat = (recs: SampleRecord[], row: string) =>
    recs.filter((r) => r.row === row && r.target === "ee").map((r) => r.latencyMs);
  for (const rb of b.summary.rows) {
    const ra = a.summary.rows.find((r) => r.row === rb.row);
    if (!ra) {
      warnings.push(WARNINGS.rowMissingInOther(rb.row, runA));
      continue;
    }
    const changePts = rb.deltaTPct - ra.deltaTPct;
    rows.push({
      row: rb.row,
      deltaTPctA: ra.deltaTPct,
      deltaTPctB: rb.deltaTPct,
      changePts,
      welchP: safeP(() => welchTTest(ra.deltaTPerRepPct, rb.deltaTPerRepPct)),
      eeSecA: ra.eeSec,
      eeSecB: rb.eeSec,
      eeLatencyMannWhitneyP: safeP(() => mannWhitneyU(eeLat(a.records, ra.row), eeLat(b.records, rb.row))),
      fidelityPctA: ra.fidelityPct,
      fidelityPctB: rb.fidelityPct,
      failed: failAbovePts !== undefined && changePts > failAbovePts,
    });
  }
  for (const ra of a.summary.rows) {
    if (!b.summary.rows.some((r) => r.row === ra.row))
      warnings.push(WARNINGS.rowMissingInOther(ra.row, runB));
  }
  const result: CompareResult = { runA, runB, rows, warnings };
  if (failAbovePts !== undefined) result.failAbovePts = failAbovePts;
  return result;
}

/** Plain-text report of a comparison. */
export function formatCompare(c: CompareResult): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  const sg = (x: number) => (Number.isFinite(x) ? `${x > 0 ? "+" : ""}${x.toFixed(2)}` : "n/a");
  const head = [
    "row",
    "ΔT a (%)",
    "ΔT b (%)",
    "change (pts)",
    "Welch p",
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
    sg(r.deltaTPctB),
    sg(r.changePts),
    f(r.welchP, 3),
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
    fmt(head),
    ...lines.map(fmt),
    ...c.warnings.map((w) => `warning: ${w}`),
    "",
  ].join("\n");
}

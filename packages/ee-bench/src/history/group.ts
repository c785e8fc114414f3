/**
 * Groups indexed runs into sets that may be compared: same suite configuration (rows, sample ids,
 * device, threads — the config hash) and same environment fingerprint. Runs of different groups are
 * never put in one series; each group's rows get their own step search.
 */
import { detectSteps, type SeriesPoint } from "./step-detect.js";
import type { HistoryGroup, IndexedRun, StepFlag } from "./types.js";

/** Oldest first: by start time, then run id. */
function byStart(a: IndexedRun, b: IndexedRun): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.runId.localeCompare(b.runId);
}

/** The steps of every row of a group's runs (oldest first). */
export function groupSteps(runs: readonly IndexedRun[]): StepFlag[] {
  const rowIds = [...new Set(runs.flatMap((r) => r.rows.map((p) => p.row)))];
  const flags: StepFlag[] = [];
  for (const row of rowIds) {
    const withRow = runs.flatMap((run) => {
      const p = run.rows.find((x) => x.row === row);
      return p?.deltaTPct !== undefined && p.halfWidthPct !== undefined ? [{ run, p }] : [];
    });
    const series: SeriesPoint[] = withRow.map(({ p }) => ({
      deltaTPct: p.deltaTPct as number,
      halfWidthPct: p.halfWidthPct as number,
      floorPct: p.controlReachPct ?? 0,
    }));
    for (const s of detectSteps(series)) {
      const first = withRow[s.at].run;
      flags.push({
        row,
        firstRunId: first.runId,
        firstCommit: first.gitCommit,
        firstStartedAt: first.startedAt,
        runsBefore: s.before,
        runsAfter: s.after,
        meanBeforePct: s.meanBeforePct,
        meanAfterPct: s.meanAfterPct,
        shiftPts: s.shiftPts,
        thresholdPts: s.thresholdPts,
        direction: s.shiftPts > 0 ? "slowdown" : "speedup",
      });
    }
  }
  return flags;
}

/** Groups of comparable runs, largest first (then by suite name). */
export function groupRuns(runs: readonly IndexedRun[]): HistoryGroup[] {
  const map = new Map<string, IndexedRun[]>();
  for (const r of runs) {
    const key = `${r.suite}\u0000${r.configHash}\u0000${r.fingerprintHash}`;
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  const groups = [...map.values()].map((rs): HistoryGroup => {
    const sorted = [...rs].sort(byStart);
    const r0 = sorted[0];
    return {
      id: `${r0.suite}-${r0.configHash.slice(0, 8)}-${r0.fingerprintHash.slice(0, 8)}`,
      suite: r0.suite,
      configHash: r0.configHash,
      fingerprintHash: r0.fingerprintHash,
      fingerprint: r0.fingerprint,
      runs: sorted,
      steps: groupSteps(sorted),
    };
  });
  return groups.sort((a, b) => b.runs.length - a.runs.length || a.id.localeCompare(b.id));
}

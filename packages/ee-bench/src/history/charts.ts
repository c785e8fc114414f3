/**
 * Trend charts of one row across a group's runs as Vega-Lite specs (inline data): ΔT with its 95 %
 * interval and the flagged steps, VI and EE median per-call latency, and fidelity — one point per run
 * in start order, labelled by date and short commit (run id, commit and dirty state in the tooltip).
 */
import type { VlSpec } from "../report/charts.js";
import type { HistoryGroup } from "./types.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: null }, axis: { labelLimit: 240 } };

/** The x label of the i-th run (0-based): `#n MM-DD HH:MM · abcdef1` (+ `*` when dirty). */
export function runLabel(i: number, startedAt: string, commit: string, dirty: boolean | null): string {
  const d = startedAt.slice(5, 16).replace("T", " ");
  return `#${i + 1} ${d} · ${commit.slice(0, 7)}${dirty ? "*" : ""}`;
}

/** The trend spec of `row` in `group`. */
export function rowTrendChart(group: HistoryGroup, row: string): VlSpec {
  const values = group.runs.flatMap((run, i) => {
    const p = run.rows.find((x) => x.row === row);
    if (!p) return [];
    return [
      {
        i,
        run: runLabel(i, run.startedAt, run.gitCommit, run.gitDirty),
        runId: run.runId,
        commit: run.gitCommit,
        dirty: run.gitDirty === null ? "unknown" : String(run.gitDirty),
        startedAt: run.startedAt,
        deltaTPct: p.deltaTPct ?? null,
        low: p.ci95Pct?.[0] ?? null,
        high: p.ci95Pct?.[1] ?? null,
        viMs: p.viLatencyP50Ms,
        eeMs: p.eeLatencyP50Ms,
        fidelityPct: p.fidelityPct,
      },
    ];
  });
  const order = values.map((v) => v.run);
  const x = {
    field: "run",
    type: "ordinal",
    sort: order,
    title: "run (#, date, commit; * = dirty)",
    axis: { labelAngle: -40 },
  };
  const tooltip = [
    { field: "runId", title: "run" },
    { field: "commit" },
    { field: "dirty" },
    { field: "startedAt", title: "started" },
  ];
  const steps = group.steps
    .filter((s) => s.row === row)
    .map((s) => ({
      run: values.find((v) => v.runId === s.firstRunId)?.run,
      label: `${s.direction} ${s.shiftPts > 0 ? "+" : ""}${s.shiftPts.toFixed(2)} pts`,
    }));
  const width = Math.max(240, 48 * values.length);
  const deltaT = {
    title: "paired ΔT (%) with 95 % interval; red: flagged step (first run after it)",
    width,
    height: 180,
    data: { values },
    layer: [
      { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0 } } },
      ...(steps.length > 0
        ? [
            {
              data: { values: steps },
              mark: { type: "rule", color: "#d62728", strokeDash: [4, 3] },
              encoding: { x: { ...x }, tooltip: [{ field: "label", title: "step" }] },
            },
          ]
        : []),
      {
        mark: { type: "rule", color: "#1f77b4" },
        encoding: { x, y: { field: "low", type: "quantitative", title: "ΔT (%)" }, y2: { field: "high" } },
      },
      {
        mark: { type: "point", filled: true, size: 50, color: "#1f77b4" },
        encoding: {
          x,
          y: { field: "deltaTPct", type: "quantitative" },
          tooltip: [
            ...tooltip,
            { field: "deltaTPct", format: ".2f" },
            { field: "low", format: ".2f" },
            { field: "high", format: ".2f" },
          ],
        },
      },
    ],
  };
  const latency = {
    title: "median per-call latency (ms)",
    width,
    height: 140,
    data: { values },
    transform: [{ fold: ["viMs", "eeMs"], as: ["target", "ms"] }],
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field: "ms", type: "quantitative", title: "latency p50 (ms)", scale: { zero: false } },
      color: { field: "target", type: "nominal", title: "target" },
      tooltip: [...tooltip, { field: "target" }, { field: "ms", format: ".3f" }],
    },
  };
  const fidelity = {
    title: "fidelity (%)",
    width,
    height: 100,
    data: { values },
    mark: { type: "line", point: { color: "#2ca02c" }, color: "#2ca02c" },
    encoding: {
      x,
      y: { field: "fidelityPct", type: "quantitative", title: "fidelity (%)", scale: { zero: false } },
      tooltip: [...tooltip, { field: "fidelityPct", format: ".4f" }],
    },
  };
  return {
    $schema: SCHEMA,
    title: `${row} — ${group.id}`,
    config: CONFIG,
    background: "white",
    padding: 10,
    vconcat: [deltaT, latency, fidelity],
  };
}

/**
 * The report's charts as Vega-Lite specs (plain JSON with inline data): ΔT with its 95 % interval
 * per row, fidelity per row, VI vs EE per-call latency, and per-call latency distributions.
 * `render.ts` turns them into SVG and PNG; `ee table` regenerates all of them from the records.
 */
import { pairKey } from "../runner/samples-log.js";
import type { RunSummary, SampleRecord } from "../types.js";

/** A Vega-Lite spec (JSON). */
export type VlSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: null }, axis: { labelLimit: 240 } };

function base(title: string, extra: VlSpec): VlSpec {
  return { $schema: SCHEMA, title, config: CONFIG, background: "white", padding: 10, ...extra };
}

/**
 * ΔT (%) per row: the paired estimate with its 95 % interval over repetitions (the paper-compatible
 * totals estimate where a row has no paired one), each repetition's order-balanced e^m_j − 1 as a
 * point, a rule at 0.
 */
export function deltaTChart(summary: RunSummary): VlSpec {
  const values = summary.rows.map((r) => {
    const [low, high] = r.paired?.ci95Pct ?? r.deltaTCi95Pct;
    const d = r.paired?.deltaTPct ?? r.deltaTPct;
    return {
      row: `${r.row} (bs ${r.batchSize})`,
      deltaTPct: d,
      low: Number.isFinite(low) ? low : d,
      high: Number.isFinite(high) ? high : d,
    };
  });
  const reps = summary.rows.flatMap((r) =>
    (r.paired ? r.paired.perRepLogRatio.map((m) => Math.expm1(m) * 100) : r.deltaTPerRepPct).map(
      (d, rep) => ({
        row: `${r.row} (bs ${r.batchSize})`,
        rep,
        deltaTPct: d,
      }),
    ),
  );
  const y = { field: "row", type: "nominal", title: null, sort: null };
  return base("Paired ΔT = e^mean ln(EE/VI) − 1 per row, 95 % interval over repetitions", {
    width: 480,
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", color: "#888", strokeDash: [4, 4] },
        encoding: { x: { field: "zero", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "errorbar", ticks: true },
        encoding: { y, x: { field: "low", type: "quantitative", title: "ΔT (%)" }, x2: { field: "high" } },
      },
      {
        data: { values: reps },
        mark: { type: "point", opacity: 0.5, color: "#999" },
        encoding: { y, x: { field: "deltaTPct", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 80, color: "#1f77b4" },
        encoding: {
          y,
          x: { field: "deltaTPct", type: "quantitative" },
          tooltip: [{ field: "deltaTPct", format: ".3f" }],
        },
      },
    ],
  });
}

/** Fidelity per row, shown as its distance from 100 % on a log scale (0 → shown at the floor). */
export function fidelityChart(summary: RunSummary): VlSpec {
  const floor = 1e-9;
  const values = summary.rows.map((r) => ({
    row: `${r.row} (bs ${r.batchSize})`,
    fidelityPct: r.fidelityPct,
    gapPct: Math.max(100 - r.fidelityPct, floor),
    floorPct: floor,
    label: `${r.fidelityPct.toFixed(6)} %`,
  }));
  return base("Fidelity (paper Eq. 4): 100 % − fidelity, log scale (lower is better)", {
    width: 480,
    data: { values },
    layer: [
      {
        mark: { type: "bar", color: "#2ca02c" },
        encoding: {
          y: { field: "row", type: "nominal", title: null, sort: null },
          x: {
            field: "gapPct",
            type: "quantitative",
            scale: { type: "log", domainMin: floor },
            title: "100 − Fid (%)",
          },
          // Log scales have no zero: bars start at the floor.
          x2: { field: "floorPct" },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4 },
        encoding: {
          y: { field: "row", type: "nominal", sort: null },
          x: { field: "gapPct", type: "quantitative" },
          text: { field: "label" },
        },
      },
    ],
  });
}

/** VI against EE latency of the same call, one point per call, with the y = x line. */
export function latencyScatterChart(records: readonly SampleRecord[]): VlSpec {
  const vi = new Map(records.filter((r) => r.target === "vi").map((r) => [pairKey(r), r]));
  const values = records
    .filter((r) => r.target === "ee" && vi.has(pairKey(r)))
    .map((ee) => ({ row: ee.row, viMs: vi.get(pairKey(ee))!.latencyMs, eeMs: ee.latencyMs }));
  const all = values.flatMap((v) => [v.viMs, v.eeMs]);
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  // Same tight log domain on both axes, so y = x is the diagonal.
  const scale = { type: "log", nice: false, domain: [lo / 1.1, hi * 1.1] };
  return base("Per-call latency: EE against VI on the same input (y = x dashed)", {
    width: 420,
    height: 420,
    layer: [
      {
        data: {
          values: [
            { a: lo, b: lo },
            { a: hi, b: hi },
          ],
        },
        mark: { type: "line", color: "#888", strokeDash: [4, 4] },
        encoding: {
          x: { field: "a", type: "quantitative", scale: { ...scale } },
          y: { field: "b", type: "quantitative", scale: { ...scale } },
        },
      },
      {
        data: { values },
        mark: { type: "point", opacity: 0.6 },
        encoding: {
          x: { field: "viMs", type: "quantitative", scale: { ...scale }, title: "VI latency (ms)" },
          y: { field: "eeMs", type: "quantitative", scale: { ...scale }, title: "EE latency (ms)" },
          color: { field: "row", type: "nominal", title: "row" },
        },
      },
    ],
  });
}

/** Per-call latency distribution per row and target (box plots, independent scales per row). */
export function latencyDistributionChart(records: readonly SampleRecord[]): VlSpec {
  const values = records.map((r) => ({ row: r.row, target: r.target.toUpperCase(), latencyMs: r.latencyMs }));
  return base("Per-call latency distribution, VI and EE", {
    data: { values },
    facet: { column: { field: "row", type: "nominal", title: null, sort: null } },
    spec: {
      width: 90,
      height: 240,
      mark: { type: "boxplot", extent: 1.5 },
      encoding: {
        x: { field: "target", type: "nominal", title: null, sort: ["VI", "EE"] },
        y: {
          field: "latencyMs",
          type: "quantitative",
          title: "latency per call (ms)",
          scale: { zero: false },
        },
        color: { field: "target", type: "nominal", legend: null, scale: { domain: ["VI", "EE"] } },
      },
    },
    resolve: { scale: { y: "independent" } },
  });
}

/** Every chart of a report, by file stem. */
export function buildCharts(summary: RunSummary, records: readonly SampleRecord[]): Record<string, VlSpec> {
  return {
    "delta-t": deltaTChart(summary),
    fidelity: fidelityChart(summary),
    "latency-scatter": latencyScatterChart(records),
    "latency-distribution": latencyDistributionChart(records),
  };
}

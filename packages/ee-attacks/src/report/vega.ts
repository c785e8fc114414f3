/**
 * Vega-Lite-ready chart of recovery vs observed tokens per scheme: the data rows and a spec (plain
 * JSON objects, no Vega dependency). Only swept (traffic) rows have an x position; the others are
 * summarised in the Markdown table.
 */
import type { AttackReport, RecoveryPoint } from "../types.js";

/** The chart's data: every row measured at a positive number of observed tokens. */
export function recoveryChartData(reports: AttackReport[]): RecoveryPoint[] {
  return reports.flatMap((r) =>
    r.rows
      .filter((row) => row.observedTokens > 0)
      .map((row) => ({
        model: row.model,
        scheme: row.scheme,
        attack: row.attack,
        family: row.family,
        observedTokens: row.observedTokens,
        top1Pct: row.top1Pct,
        top10Pct: row.top10Pct,
        heldOutPct: row.heldOutPct,
      })),
  );
}

/** A Vega-Lite v5 spec: top-1 recovery vs observed tokens (log x), one line per attack, faceted by model × scheme. */
export function recoveryChartSpec(data: RecoveryPoint[]): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Token-mapping recovery vs observed encrypted tokens",
    data: { values: data },
    facet: { row: { field: "model", type: "nominal" }, column: { field: "scheme", type: "nominal" } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: {
          field: "observedTokens",
          type: "quantitative",
          scale: { type: "log" },
          title: "observed encrypted tokens",
        },
        y: {
          field: "top1Pct",
          type: "quantitative",
          title: "top-1 recovery (%)",
          scale: { domain: [0, 100] },
        },
        color: { field: "attack", type: "nominal" },
        tooltip: [
          { field: "attack", type: "nominal" },
          { field: "observedTokens", type: "quantitative" },
          { field: "top1Pct", type: "quantitative", format: ".2f" },
          { field: "top10Pct", type: "quantitative", format: ".2f" },
          { field: "heldOutPct", type: "quantitative", format: ".2f" },
        ],
      },
    },
  };
}

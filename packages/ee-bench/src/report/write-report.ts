/**
 * Everything derived from a run folder's raw files (config.json, samples.jsonl, microbench.json,
 * datasets.json): summary.json, table.csv, table.md, charts/*.{vl.json,svg,png}, index.html.
 * `ee run` calls it at the end; `ee table <run-dir>` calls it alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { overloaded } from "../runner/noise.js";
import { readSampleRecords } from "../runner/samples-log.js";
import type { DatasetIssue, MicrobenchResult, RunConfig, RunSummary } from "../types.js";
import { WARNINGS } from "../warnings.js";
import { buildCharts } from "./charts.js";
import type { RunEnv } from "./env.js";
import { reportHtml } from "./html.js";
import { renderSvg, svgToPng } from "./render.js";
import { summarizeRun } from "./summarize.js";
import { tableCsv, tableMarkdown } from "./table.js";

/** What `datasets.json` holds: per row, what was loaded; and every malformed row. */
export interface DatasetsFile {
  /** Per row id: one entry per dataset selection. */
  rows: Record<
    string,
    { name: string; files: number; available: number; filtered: number; requested: number; drawn: number }[]
  >;
  /** Malformed rows (rows). */
  issues: DatasetIssue[];
}

/** Reads a JSON file of a run folder with an error naming it. */
export function readRunJson<T>(runDir: string, name: string): T {
  const file = join(runDir, name);
  if (!existsSync(file))
    throw new Error(`${file} is missing: is ${runDir} a run folder written by "ee run"?`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** JSON with NaN/Infinity written as null. */
export function toJson(v: unknown): string {
  return `${JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? null : x), 2)}\n`;
}

/** Sets each row's load from env.json (when recorded) and warns where it exceeded the cores. */
function attachLoad(summary: RunSummary, runDir: string): void {
  const env = existsSync(join(runDir, "env.json")) ? readRunJson<RunEnv>(runDir, "env.json") : undefined;
  for (const row of summary.rows) {
    const load = env?.rowLoad?.[row.row];
    if (!load) continue;
    row.load = load;
    if (overloaded(load))
      summary.warnings.push(WARNINGS.loadHigh(row.row, load.before, load.after, load.cores));
  }
}

/** Options of `writeReport`. */
export interface WriteReportOptions {
  /** Render SVG/PNG (default true); specs are always written. */
  render?: boolean;
  /** Warnings from the run itself, added to the summary (text). */
  warnings?: readonly string[];
}

/** The runtime label each row's engine reported when it was opened (env.json `targets.<row>.runtime`). */
function runtimes(runDir: string): Record<string, string> {
  if (!existsSync(join(runDir, "env.json"))) return {};
  const env = readRunJson<{ targets?: Record<string, { runtime?: unknown }> }>(runDir, "env.json");
  const out: Record<string, string> = {};
  for (const [row, t] of Object.entries(env.targets ?? {}))
    if (typeof t?.runtime === "string") out[row] = t.runtime;
  return out;
}

/** Regenerates every derived file of `runDir`; returns the summary. */
export async function writeReport(runDir: string, opts: WriteReportOptions = {}): Promise<RunSummary> {
  const config = readRunJson<RunConfig>(runDir, "config.json");
  const warnings = [...(opts.warnings ?? [])];
  const { records } = readSampleRecords(join(runDir, "samples.jsonl"), (w) => warnings.push(w));
  const microbench = existsSync(join(runDir, "microbench.json"))
    ? readRunJson<MicrobenchResult[]>(runDir, "microbench.json")
    : [];
  const datasets = existsSync(join(runDir, "datasets.json"))
    ? readRunJson<DatasetsFile>(runDir, "datasets.json")
    : undefined;
  const issues = datasets?.issues ?? [];
  const summary = summarizeRun(
    basename(runDir),
    config,
    records,
    microbench,
    issues,
    warnings,
    runtimes(runDir),
  );
  attachLoad(summary, runDir);
  writeFileSync(join(runDir, "summary.json"), toJson(summary));
  writeFileSync(join(runDir, "table.csv"), tableCsv(summary));
  writeFileSync(join(runDir, "table.md"), tableMarkdown(summary));
  const chartsDir = join(runDir, "charts");
  mkdirSync(chartsDir, { recursive: true });
  const charts = buildCharts(
    summary,
    records.filter((r) => summary.rows.some((s) => s.row === r.row)),
  );
  for (const [stem, spec] of Object.entries(charts)) {
    writeFileSync(join(chartsDir, `${stem}.vl.json`), toJson(spec));
    if (opts.render === false) continue;
    try {
      const svg = await renderSvg(spec);
      writeFileSync(join(chartsDir, `${stem}.svg`), svg);
      writeFileSync(join(chartsDir, `${stem}.png`), svgToPng(svg));
    } catch (e) {
      summary.warnings.push(WARNINGS.chartRenderFailed(stem, (e as Error).message));
    }
  }
  writeFileSync(join(runDir, "index.html"), reportHtml(summary, Object.keys(charts)));
  // Render warnings (if any) belong in summary.json too.
  writeFileSync(join(runDir, "summary.json"), toJson(summary));
  return summary;
}

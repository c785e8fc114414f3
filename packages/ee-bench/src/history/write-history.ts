/**
 * `ee history`'s work: index the reports folder, group comparable runs, search each row for steps, and
 * write history.json, history.md and one trend chart per group and row (spec, plus SVG/PNG unless
 * rendering is off). Only the output folder is written; run folders are read as they are.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderSvg, svgToPng } from "../report/render.js";
import { toJson } from "../report/write-report.js";
import { rowTrendChart } from "./charts.js";
import { groupRuns } from "./group.js";
import { indexRuns } from "./index-runs.js";
import { historyMarkdown } from "./markdown.js";
import type { History } from "./types.js";

/** Options of `writeHistory`. */
export interface WriteHistoryOptions {
  /** Output folder (default `<reportsDir>/history`). */
  outDir?: string;
  /** Render SVG/PNG beside each spec (default true). */
  render?: boolean;
}

/** The history of `reportsDir`, nothing written. */
export function buildHistory(reportsDir: string, exclude: readonly string[] = []): History {
  const { runs, unreadable } = indexRuns(reportsDir, exclude);
  return { v: 1, reportsDir: resolve(reportsDir), groups: groupRuns(runs), unreadable };
}

/** Builds the history and writes its files; returns it with the output folder and render warnings. */
export async function writeHistory(
  reportsDir: string,
  opts: WriteHistoryOptions = {},
): Promise<{ history: History; outDir: string; warnings: string[] }> {
  const outDir = resolve(opts.outDir ?? join(reportsDir, "history"));
  const history = buildHistory(reportsDir, [outDir]);
  const warnings: string[] = [];
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "history.json"), toJson(history));
  writeFileSync(join(outDir, "history.md"), historyMarkdown(history));
  for (const g of history.groups) {
    const dir = join(outDir, g.id);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    const rows = [...new Set(g.runs.flatMap((r) => r.rows.map((p) => p.row)))];
    for (const row of rows) {
      const spec = rowTrendChart(g, row);
      writeFileSync(join(dir, `${row}.vl.json`), toJson(spec));
      if (opts.render === false) continue;
      try {
        const svg = await renderSvg(spec);
        writeFileSync(join(dir, `${row}.svg`), svg);
        writeFileSync(join(dir, `${row}.png`), svgToPng(svg));
      } catch (e) {
        warnings.push(`chart ${g.id}/${row}: rendering failed (${(e as Error).message})`);
      }
    }
  }
  return { history, outDir, warnings };
}

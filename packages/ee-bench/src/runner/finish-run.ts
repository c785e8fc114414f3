/**
 * Phase 5 of a suite run: stamp env.json's end, derive every report file from the raw ones
 * (`writeReport`) and point `reports/latest` at the run.
 */
import { relative } from "node:path";
import { writeReport } from "../report/write-report.js";
import type { RunSummary } from "../types.js";
import type { RunContext } from "./run-context.js";
import { type RunFolder, updateLatest, writeRunEnv } from "./run-folder.js";

/** Writes the report of the finished run; returns its summary. */
export async function finishRun(ctx: RunContext, folder: RunFolder): Promise<RunSummary> {
  folder.env.endedAt = new Date().toISOString();
  writeRunEnv(folder);
  const summary = await writeReport(folder.runDir, { warnings: ctx.warnings, render: ctx.opts.render });
  for (const w of summary.warnings.slice(ctx.warnings.length)) ctx.log(`warning: ${w}`);
  updateLatest(ctx.opts.reportsDir, relative(ctx.opts.reportsDir, folder.runDir));
  return summary;
}

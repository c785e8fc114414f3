/**
 * A whole suite run, phase by phase: load every row's data (`load-data.ts`; errors and malformed rows
 * first, before any model is built) → plan the calls and the configuration (`plan.ts`) and open the
 * run folder (`run-folder.ts`, config.json + env.json; with `resumeDir` the configuration hash must
 * match and only the missing pairs are measured) → per row build/encrypt the targets
 * (`build-targets.ts`) and measure them (`measure.ts`) → write the report (`finish-run.ts`).
 */
import type { RunSummary } from "../types.js";
import { finishRun } from "./finish-run.js";
import { loadSuiteData } from "./load-data.js";
import { measureRows } from "./measure.js";
import { pinCpus } from "./noise.js";
import { planRun } from "./plan.js";
import { formatDuration } from "./progress.js";
import { createRunContext, type RunSuiteOptions } from "./run-context.js";
import { openRunFolder } from "./run-folder.js";

export type { RunSuiteOptions } from "./run-context.js";
export { updateLatest } from "./run-folder.js";

/** What a run produced. */
export interface RunSuiteResult {
  /** The run folder (absolute path). */
  runDir: string;
  /** Its summary. */
  summary: RunSummary;
}

/** Runs a suite; see the module comment. */
export async function runSuite(opts: RunSuiteOptions): Promise<RunSuiteResult> {
  const ctx = createRunContext(opts, performance.now(), formatDuration);
  if (opts.pinCpus !== undefined) pinCpus(opts.pinCpus);
  const data = await loadSuiteData(ctx);
  const plan = planRun(ctx, data);
  const folder = await openRunFolder(ctx, plan.config, data.datasets);
  try {
    folder.env.intraOpThreads = ctx.threads;
    folder.env.gcBeforeCalls = true;
    if (opts.pinCpus !== undefined) folder.env.pinnedCpus = opts.pinCpus;
    ctx.log(
      `run folder: ${folder.runDir} (${ctx.threads} intra-op thread(s)${opts.pinCpus ? `, pinned to CPUs ${opts.pinCpus}` : ""}, model memory on huge pages: ${folder.env.hugePages?.mallocHugePages ? "yes" : "no"})`,
    );
    await measureRows(ctx, plan, data, folder);
    const summary = await finishRun(ctx, folder);
    return { runDir: folder.runDir, summary };
  } finally {
    folder.lock?.release();
  }
}

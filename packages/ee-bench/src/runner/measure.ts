/**
 * Phase 4 of a suite run: per row, skip it when the samples log already holds every pair (resume),
 * else build its targets (phase 3), prepare them, time the missing pairs (`runRow`) and
 * micro-benchmark them (tinybench), closing the targets whatever happens.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toJson } from "../report/write-report.js";
import type { MicrobenchResult } from "../types.js";
import { buildTargets, closeTargets } from "./build-targets.js";
import { closeEarlyPairs, type SuiteData } from "./load-data.js";
import { microbench } from "./microbench.js";
import type { RowPlan, RunPlan } from "./plan.js";
import { createProgress } from "./progress.js";
import type { RunContext } from "./run-context.js";
import type { RunFolder } from "./run-folder.js";
import { runRow } from "./run-row.js";
import { SamplesLog } from "./samples-log.js";

/** `microbench.json` of the folder, or none yet. */
function readMicrobench(file: string): MicrobenchResult[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as MicrobenchResult[]) : [];
}

/** Pairs of the row already in the log (pairs). */
function pairsPresent(rp: RowPlan, samplesLog: SamplesLog): number {
  let present = 0;
  for (let rep = 0; rep < rp.row.repetitions; rep++)
    for (let c = 0; c < rp.calls.length; c++) if (samplesLog.has(rp.row.id, rep, c)) present++;
  return present;
}

/** Measures one row (see the module comment); `mb` is updated in place and written to `mbFile`. */
async function measureRow(
  ctx: RunContext,
  data: SuiteData,
  folder: RunFolder,
  rp: RowPlan,
  samplesLog: SamplesLog,
  mb: { results: MicrobenchResult[]; file: string },
): Promise<void> {
  const { row, samples, calls, totalPairs } = rp;
  const { suite } = ctx.opts;
  const needMicro = suite.microbenchIterations > 0 && !mb.results.some((m) => m.row === row.id);
  if (pairsPresent(rp, samplesLog) === totalPairs && !needMicro) {
    ctx.log(`row ${row.id}: complete in ${folder.runDir}, skipped`);
    return;
  }
  ctx.log(
    `row ${row.id}: ${row.model} (${row.scheme}), ${samples.length} samples × ${row.passes} pass(es), bs ${row.batchSize}, ${row.repetitions} reps`,
  );
  const pair = await buildTargets(ctx, data, folder, row);
  try {
    await pair.prepare?.(samples);
    const progress = createProgress({ label: row.id, total: totalPairs, stream: ctx.opts.progressStream });
    await runRow({ row, samples, pair, log: samplesLog, clock: ctx.opts.clock, progress });
    progress.done();
    if (needMicro) {
      const fresh = await microbench(
        row.id,
        [pair.vi, pair.ee],
        calls[0],
        suite.microbenchIterations,
        ctx.opts.clock,
      );
      mb.results = [...mb.results.filter((m) => m.row !== row.id), ...fresh];
      writeFileSync(mb.file, toJson(mb.results));
    }
  } finally {
    await closeTargets(pair);
  }
}

/** Measures every row of the plan into the folder's samples.jsonl and microbench.json. */
export async function measureRows(
  ctx: RunContext,
  plan: RunPlan,
  data: SuiteData,
  folder: RunFolder,
): Promise<void> {
  const samplesLog = new SamplesLog(join(folder.runDir, "samples.jsonl"), ctx.warn);
  const mbFile = join(folder.runDir, "microbench.json");
  const mb = { results: readMicrobench(mbFile), file: mbFile };
  try {
    for (const rp of plan.rows) await measureRow(ctx, data, folder, rp, samplesLog, mb);
  } finally {
    samplesLog.close();
    await closeEarlyPairs(data);
  }
}

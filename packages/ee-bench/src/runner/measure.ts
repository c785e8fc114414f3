/**
 * Phase 4 of a suite run: per row, skip it when the samples log already holds every pair (resume),
 * else build its targets (phase 3), prepare them, time the missing pairs (`runRow`), add repetitions
 * while an adaptive row needs them (`adaptive.ts`), and micro-benchmark them (tinybench), closing the
 * targets whatever happens. The load average is sampled just before and after the timed calls.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pairedDeltaT } from "ee-core";
import { pairObservations } from "../report/pairs.js";
import { toJson } from "../report/write-report.js";
import type { AdaptiveStop, MicrobenchResult, TargetPair } from "../types.js";
import { adaptiveDecision, formatStop } from "./adaptive.js";
import { buildTargets, closeTargets } from "./build-targets.js";
import { closeEarlyPairs, type SuiteData } from "./load-data.js";
import { microbench } from "./microbench.js";
import { currentLoad, overloaded, rowLoad } from "./noise.js";
import type { RowPlan, RunPlan } from "./plan.js";
import { createProgress } from "./progress.js";
import type { RunContext } from "./run-context.js";
import { type RunFolder, writeRunEnv } from "./run-folder.js";
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

/** Complete repetitions of the row in the log, counting up from 0 (count). */
function completeReps(rp: RowPlan, samplesLog: SamplesLog): number {
  let reps = 0;
  while (rp.calls.every((_, c) => samplesLog.has(rp.row.id, reps, c))) reps++;
  return reps;
}

/** The paired 95 % half-width over the first `reps` repetitions; undefined below 2 (%). */
function halfWidth(rp: RowPlan, samplesLog: SamplesLog, reps: number): number | undefined {
  if (reps < 2) return undefined;
  const records = samplesLog.recordsOf(rp.row.id).filter((r) => r.rep < reps);
  return pairedDeltaT(pairObservations(records)).halfWidthPct;
}

/** Adds repetitions to an adaptive row until its target is met or its budget ends (`adaptive.ts`). */
async function extendAdaptive(
  ctx: RunContext,
  rp: RowPlan,
  pair: TargetPair,
  samplesLog: SamplesLog,
  startedMs: number,
): Promise<AdaptiveStop> {
  const { row } = rp;
  const clock = ctx.opts.clock ?? (() => performance.now());
  let reps = completeReps(rp, samplesLog);
  let lastRepSec = (clock() - startedMs) / 1000 / Math.max(1, row.repetitions);
  for (;;) {
    const d = adaptiveDecision({
      reps,
      halfWidthPct: halfWidth(rp, samplesLog, reps),
      targetPct: row.targetHalfWidthPct!,
      elapsedSec: (clock() - startedMs) / 1000,
      lastRepSec,
      budgetSec: row.budgetSec!,
    });
    if (d.kind !== "continue") return d;
    const t = clock();
    await runRow({
      row,
      samples: rp.samples,
      pair,
      log: samplesLog,
      clock: ctx.opts.clock,
      repetitions: reps + 1,
      skipWarmup: true,
    });
    lastRepSec = (clock() - t) / 1000;
    reps++;
    ctx.log(
      `row ${row.id}: R=${reps}, ±${halfWidth(rp, samplesLog, reps)?.toFixed(2) ?? "n/a"} % (target ±${row.targetHalfWidthPct} %)`,
    );
  }
}

/** Times the row's pairs (minimum repetitions, then adaptive ones) with the load sampled around them. */
async function timeRow(
  ctx: RunContext,
  folder: RunFolder,
  rp: RowPlan,
  pair: TargetPair,
  samplesLog: SamplesLog,
): Promise<void> {
  const { row, samples, totalPairs } = rp;
  const clock = ctx.opts.clock ?? (() => performance.now());
  const before = currentLoad();
  const startedMs = clock();
  const progress = createProgress({ label: row.id, total: totalPairs, stream: ctx.opts.progressStream });
  await runRow({ row, samples, pair, log: samplesLog, clock: ctx.opts.clock, progress });
  progress.done();
  if (row.targetHalfWidthPct !== undefined)
    ctx.log(`row ${row.id}: ${formatStop(await extendAdaptive(ctx, rp, pair, samplesLog, startedMs))}`);
  const load = rowLoad(before, currentLoad());
  folder.env.rowLoad = { ...folder.env.rowLoad, [row.id]: load };
  writeRunEnv(folder);
  if (overloaded(load))
    ctx.log(
      `row ${row.id}: load average ${load.before.toFixed(2)} → ${load.after.toFixed(2)} exceeds ${load.cores} cores (noted in the report)`,
    );
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
  const adaptive = row.targetHalfWidthPct !== undefined;
  const complete = pairsPresent(rp, samplesLog) === totalPairs && !needMicro;
  const targetMet = (): boolean => {
    const hw = halfWidth(rp, samplesLog, completeReps(rp, samplesLog));
    return hw !== undefined && hw <= row.targetHalfWidthPct!;
  };
  if (complete && (!adaptive || targetMet())) {
    ctx.log(`row ${row.id}: complete in ${folder.runDir}, skipped`);
    return;
  }
  ctx.log(
    `row ${row.id}: ${row.model} (${row.scheme}), ${samples.length} samples × ${row.passes} pass(es), bs ${row.batchSize}, ${row.repetitions} reps`,
  );
  const pair = await buildTargets(ctx, data, folder, row);
  try {
    await pair.prepare?.(samples);
    await timeRow(ctx, folder, rp, pair, samplesLog);
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

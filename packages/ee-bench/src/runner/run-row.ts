/**
 * One row: warm both targets up, then time VI and EE interleaved (ABBA) over the same calls for
 * every repetition, appending each pair to the samples log. Pairs already in the log (a resumed
 * run) are skipped, so nothing is measured twice.
 */
import type {
  BenchSample,
  BenchTarget,
  SampleRecord,
  SuiteRow,
  TargetKind,
  TargetOutput,
  TargetPair,
} from "../types.js";
import { pairOrder, planCalls } from "./interleave.js";
import { logitDiff, logitDigest } from "./logits.js";
import { collectGarbage } from "./noise.js";
import type { Progress } from "./progress.js";
import type { SamplesLog } from "./samples-log.js";

/** Options of `runRow`. */
export interface RunRowOptions {
  /** The row. */
  row: SuiteRow;
  /** Its samples in run order. */
  samples: readonly BenchSample[];
  /** Its targets. */
  pair: TargetPair;
  /** Where pairs are appended (and which exist). */
  log: SamplesLog;
  /** Clock (ms); performance.now by default. */
  clock?: () => number;
  /** Ticked once per pair (measured or skipped). */
  progress?: Progress;
  /** Repetitions to cover, 0 … repetitions − 1; default the row's (count). */
  repetitions?: number;
  /** Skip the warm-up calls (the targets are warm already: an adaptive row's added repetitions) (flag). */
  skipWarmup?: boolean;
}

async function timed(
  target: BenchTarget,
  batch: readonly BenchSample[],
  clock: () => number,
  where: string,
): Promise<{ outputs: TargetOutput[]; latencyMs: number }> {
  collectGarbage(); // outside the timed region: see noise.ts
  const t0 = clock();
  const outputs = await target.run(batch);
  const latencyMs = clock() - t0;
  if (!Array.isArray(outputs) || outputs.length !== batch.length) {
    throw new Error(
      `${where}: target ${target.kind} returned ${outputs?.length} outputs for a batch of ${batch.length}`,
    );
  }
  return { outputs, latencyMs };
}

function record(
  row: SuiteRow,
  rep: number,
  call: number,
  target: TargetKind,
  order: 0 | 1,
  batch: readonly BenchSample[],
  latencyMs: number,
  outputs: readonly TargetOutput[],
  maxAbsLogitDiff: number | null,
): SampleRecord {
  const r: SampleRecord = {
    v: 1,
    row: row.id,
    rep,
    call,
    target,
    order,
    sampleIds: batch.map((s) => s.id),
    latencyMs,
    predicted: outputs.map((o) => o.predicted),
    confidence: outputs.map((o) => o.confidence),
    logitDigest: outputs.map((o) => logitDigest(o.logits)),
    maxAbsLogitDiff,
  };
  if (row.task === "generate") r.generatedTokens = outputs.map((o) => o.tokens?.length ?? 0);
  if (outputs.every((o) => o.ttftMs !== undefined)) {
    r.ttftMs = outputs.map((o) => o.ttftMs as number);
    r.tpotMs = outputs.map((o) => o.tpotMs ?? null);
  }
  return r;
}

/** Largest |EE − VI| logit difference over a call's samples; null when logits are missing. */
function callLogitDiff(vi: readonly TargetOutput[], ee: readonly TargetOutput[]): number | null {
  let worst = 0;
  for (let i = 0; i < vi.length; i++) {
    const d = logitDiff(ee[i].logits, vi[i].logits);
    if (Number.isNaN(d)) return null;
    if (d > worst) worst = d;
  }
  return worst;
}

/** Runs the warm-up and every missing pair of the row. Returns the number of pairs measured. */
export async function runRow(opts: RunRowOptions): Promise<number> {
  const { row, pair, log } = opts;
  const clock = opts.clock ?? (() => performance.now());
  const calls = planCalls(opts.samples, row.passes, row.batchSize);
  if (calls.length === 0) throw new Error(`row ${row.id}: no samples to run`);
  const missing = (rep: number, call: number) => !log.has(row.id, rep, call);
  const repetitions = opts.repetitions ?? row.repetitions;
  let anyMissing = false;
  for (let rep = 0; rep < repetitions && !anyMissing; rep++) {
    for (let call = 0; call < calls.length && !anyMissing; call++) anyMissing = missing(rep, call);
  }
  if (!anyMissing) {
    opts.progress?.tick(repetitions * calls.length);
    return 0;
  }
  const targets: Record<TargetKind, BenchTarget> = { vi: pair.vi, ee: pair.ee };
  for (let w = 0; w < (opts.skipWarmup ? 0 : row.warmup); w++) {
    const batch = calls[w % calls.length];
    for (const kind of pairOrder(0, w, calls.length)) await targets[kind].run(batch);
  }
  let measured = 0;
  for (let rep = 0; rep < repetitions; rep++) {
    for (let call = 0; call < calls.length; call++) {
      if (!missing(rep, call)) {
        opts.progress?.tick();
        continue;
      }
      const batch = calls[call];
      const [first, second] = pairOrder(rep, call, calls.length);
      const where = `row ${row.id} rep ${rep} call ${call}`;
      const a = await timed(targets[first], batch, clock, where);
      const b = await timed(targets[second], batch, clock, where);
      const vi = first === "vi" ? a : b;
      const ee = first === "ee" ? a : b;
      const diff = callLogitDiff(vi.outputs, ee.outputs);
      const viRec = record(
        row,
        rep,
        call,
        "vi",
        first === "vi" ? 0 : 1,
        batch,
        vi.latencyMs,
        vi.outputs,
        diff === null ? null : 0,
      );
      const eeRec = record(
        row,
        rep,
        call,
        "ee",
        first === "ee" ? 0 : 1,
        batch,
        ee.latencyMs,
        ee.outputs,
        diff,
      );
      if (first === "vi") log.appendPair(viRec, eeRec);
      else log.appendPair(eeRec, viRec);
      measured++;
      opts.progress?.tick();
    }
  }
  return measured;
}

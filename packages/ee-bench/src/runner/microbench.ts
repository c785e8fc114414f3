/**
 * Per-call latency statistics with tinybench: one fixed batch (the row's first call) run
 * repeatedly on one target. Unlike the interleaved loop — which times every sample once per
 * repetition and yields the Table-2 totals — this isolates the per-call distribution (p50, p99,
 * sd, margin of error) of a single input, free of input-length variation.
 */
import { Bench } from "tinybench";
import type { BenchSample, BenchTarget, MicrobenchResult } from "../types.js";

/** Runs `iterations` timed calls of `batch` on each target, VI first. */
export async function microbench(
  row: string,
  targets: readonly BenchTarget[],
  batch: readonly BenchSample[],
  iterations: number,
  now?: () => number,
): Promise<MicrobenchResult[]> {
  const bench = new Bench({
    name: row,
    iterations,
    time: 0,
    warmup: true,
    warmupIterations: 2,
    warmupTime: 0,
    throws: true,
    ...(now ? { now } : {}),
  });
  for (const t of targets) bench.add(t.kind, async () => void (await t.run(batch)));
  await bench.run();
  return bench.tasks.map((task, i) => {
    const r = task.result;
    if (r.state !== "completed") throw new Error(`microbench ${row}/${targets[i].kind}: task ${r.state}`);
    return {
      row,
      target: targets[i].kind,
      iterations: r.latency.samplesCount,
      meanMs: r.latency.mean,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      sdMs: r.latency.sd,
      rmePct: r.latency.rme,
    };
  });
}

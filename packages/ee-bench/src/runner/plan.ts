/**
 * Phase 2 of a suite run: the plan. From the loaded samples, the run configuration (whose hash guards
 * `--resume`) and, per row, its calls of one repetition and the pairs it needs.
 */
import type { BenchSample, RunConfig, SuiteRow } from "../types.js";
import { buildRunConfig } from "./config-hash.js";
import { planCalls } from "./interleave.js";
import type { SuiteData } from "./load-data.js";
import type { RunContext } from "./run-context.js";

/** One row's part of the plan. */
export interface RowPlan {
  /** The row. */
  row: SuiteRow;
  /** Its samples in run order. */
  samples: BenchSample[];
  /** The batches of one repetition (calls). */
  calls: BenchSample[][];
  /** Pairs over all repetitions: repetitions × calls (pairs). */
  totalPairs: number;
}

/** The whole plan of a run. */
export interface RunPlan {
  /** `config.json`'s content. */
  config: RunConfig;
  /** One entry per suite row, in suite order. */
  rows: RowPlan[];
}

/** Plans the run from the loaded data. */
export function planRun(ctx: RunContext, data: SuiteData): RunPlan {
  const { suite } = ctx.opts;
  const sampleIds = Object.fromEntries(
    suite.rows.map((r) => [r.id, data.samplesByRow.get(r.id)!.map((s) => s.id)]),
  );
  const config = buildRunConfig(suite, sampleIds, ctx.device, ctx.threads);
  const rows = suite.rows.map((row) => {
    const samples = data.samplesByRow.get(row.id)!;
    const calls = planCalls(samples, row.passes, row.batchSize);
    return { row, samples, calls, totalPairs: row.repetitions * calls.length };
  });
  return { config, rows };
}

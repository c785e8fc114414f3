/**
 * Phase 3 of a suite run, per row: build/encrypt (or load from the cache) the row's plain and
 * encrypted targets through the factory — or take over those the data phase already made — and
 * record the factory's facts in env.json.
 */
import type { SuiteRow, TargetPair } from "../types.js";
import type { SuiteData } from "./load-data.js";
import type { RunContext } from "./run-context.js";
import { type RunFolder, writeRunEnv } from "./run-folder.js";

/** The row's targets; the caller closes them (`closeTargets`). */
export async function buildTargets(
  ctx: RunContext,
  data: SuiteData,
  folder: RunFolder,
  row: SuiteRow,
): Promise<TargetPair> {
  const pair = data.earlyPairs.get(row.id) ?? (await ctx.opts.factory(row, ctx.factoryCtx));
  data.earlyPairs.delete(row.id);
  folder.env.targets[row.id] = pair.info;
  writeRunEnv(folder);
  return pair;
}

/** Closes both targets of a pair. */
export async function closeTargets(pair: TargetPair): Promise<void> {
  await pair.vi.close?.();
  await pair.ee.close?.();
}

/**
 * The real target factory: build or find the row's plain and encrypted models (model-cache.ts),
 * then open the pair for the row's task from a registry table.
 */
import type { SessionOptions } from "ee-models";
import type { RowTask, SuiteRow, TargetFactory, TargetFactoryContext, TargetPair } from "../types.js";
import { openCausalLMPair } from "./causal-lm.js";
import { openClassifierPair } from "./classifier.js";
import { type CachedModels, ensureModels } from "./model-cache.js";

/** Task → how its pair is opened. */
const OPENERS: Record<
  RowTask,
  (row: SuiteRow, m: CachedModels, s: SessionOptions, ctx: TargetFactoryContext) => Promise<TargetPair>
> = {
  classify: (row, m, s) => openClassifierPair(row, m, s),
  generate: (row, m, s, ctx) => openCausalLMPair(row, m, s, ctx.dataDir),
};

/** Builds/encrypts (cached) and opens a row's VI and EE targets with the same session options. */
export const modelTargetFactory: TargetFactory = async (row, ctx) => {
  const models = await ensureModels(row.model, row.scheme, row.seed, row.task, ctx);
  // VI and EE sessions take turns: with spinning on, the idle one's workers steal cores from the running
  // one (a −18 % A/A bias for Llama on 2 cores); both get the same options, so the comparison stays fair.
  const sessionOpts: SessionOptions = {
    device: ctx.device === "cuda" ? "cuda" : "cpu",
    allowSpinning: false,
  };
  if (ctx.threads !== undefined) sessionOpts.intraOpThreads = ctx.threads;
  return OPENERS[row.task](row, models, sessionOpts, ctx);
};

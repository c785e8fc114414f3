/**
 * The real target factory: build or find the row's plain and encrypted models (model-cache.ts), then
 * open the pair for the row's task in the row's engine (any registered engine serves either task; the
 * task decides tokenization and what a call returns, the engine how it runs). A row against external
 * servers builds nothing: its preset gives the tokenizer, the client's copy of the encrypted folder the key check.
 */
import type { RowTask, SuiteRow, TargetFactory, TargetFactoryContext, TargetPair } from "../types.js";
import { openCausalLMPair } from "./causal-lm.js";
import { openClassifierPair } from "./classifier.js";
import { checkExternalRow } from "./external-servers.js";
import { type CachedModels, ensureModels } from "./model-cache.js";

/** Task → how its pair is opened (in the row's engine, through the registry). */
const OPENERS: Record<
  RowTask,
  (row: SuiteRow, m: CachedModels, ctx: TargetFactoryContext) => Promise<TargetPair>
> = {
  classify: openClassifierPair,
  generate: openCausalLMPair,
};

/** Builds/encrypts (cached) and opens a row's VI and EE targets with the same engine and options. */
export const modelTargetFactory: TargetFactory = async (row, ctx) => {
  // servers run elsewhere: nothing to build or encrypt (the schema allows generate rows only)
  if (row.servers?.kind === "external") return openCausalLMPair(row, checkExternalRow(row, row.servers), ctx);
  const models = await ensureModels(row.model, row.scheme, row.seed, row.task, ctx, row.rekeyCopies ?? 1);
  return OPENERS[row.task](row, models, ctx);
};

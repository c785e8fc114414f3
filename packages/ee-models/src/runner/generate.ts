/**
 * The generation loop over any `EngineStepper`: batched prefill with left padding, then one decode
 * step per new token, greedy / temperature / top-k / top-p choice, stop on eos, timings.
 *
 * The loop sees logits and ids in whatever id space the stepper uses. Sampling looks at logit values
 * only, so over an encrypted folder it picks encrypted ids as long as `eosTokenIds` and `padTokenId`
 * are given encrypted too (server-side sampling); over a decrypting stepper it runs on the client.
 */
import { createRandom, type RandomSource } from "ee-core";
import type { EngineStepper, IdSequences, StepOutput } from "../engines/engine.js";
import { checkSamplingOptions, type SampledToken, type SamplingOptions, sampleToken } from "./sampling.js";

export type { StepOutput } from "../engines/engine.js";

/** Rewrites `[B, V]` logits before sampling (e.g. a client's decryption); may return the same array. */
export type LogitsProcessor = (logits: Float32Array, batchSize: number, step: number) => Float32Array;

/** Options of `generateWithStepper`. */
export interface GenerateOptions extends SamplingOptions {
  /** Stop after this many new tokens per row (tokens). */
  maxNewTokens: number;
  /** Stop tokens (token ids); default the stepper's (the config's `eos_token_id`s). [] = never stop early. */
  eosTokenIds?: readonly number[];
  /** Token used for left padding and fed to finished rows (token id); default the first eos, else 0. */
  padTokenId?: number;
  /** Seed of the sampling stream (needed for temperature > 0 unless `rng` is given). */
  seed?: number | string;
  /** Random source for sampling (overrides `seed`). */
  rng?: RandomSource;
  /** Applied to each step's `[B, V]` logits before sampling. */
  logitsProcessor?: LogitsProcessor;
}

/** One generated sequence. */
export interface Generation {
  /** The new tokens, eos included when it was produced (token ids). */
  tokenIds: number[];
  /** Probability of the first generated token under the softmax of its logits (probability); the paper's confidence. */
  firstTokenProb: number;
  /** Logits the first token was chosen from `[V]` (after the logits processor) (nats). */
  firstTokenLogits: Float32Array;
  /** Why it stopped. */
  finishReason: "eos" | "length";
}

/** Result of a generation over a batch. */
export interface GenerateResult {
  /** One entry per prompt, in order. */
  sequences: Generation[];
  /** Prefill plus choosing the first token (ms). */
  timeToFirstTokenMs: number;
  /** Each later token: decode call plus choosing it (ms), one entry per step. */
  perTokenMs: number[];
  /** Whole call (ms). */
  totalMs: number;
  /** Length of the padded prompt batch T (tokens). */
  promptLength: number;
}

/** Left-pads ragged prompts: ids and mask `[B, T]`. */
export function leftPadBatch(
  prompts: IdSequences,
  padTokenId: number,
): { ids: BigInt64Array; mask: BigInt64Array; seqLen: number } {
  if (prompts.length === 0) throw new Error("leftPadBatch: no prompts");
  const T = Math.max(...prompts.map((p) => p.length));
  if (T === 0) throw new Error("leftPadBatch: every prompt is empty");
  const ids = new BigInt64Array(prompts.length * T).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(prompts.length * T);
  prompts.forEach((p, b) => {
    if (p.length === 0) throw new Error(`leftPadBatch: prompt ${b} is empty`);
    const off = b * T + (T - p.length);
    for (let t = 0; t < p.length; t++) {
      ids[off + t] = BigInt(p[t]);
      mask[off + t] = 1n;
    }
  });
  return { ids, mask, seqLen: T };
}

/** Throws unless `n` is a whole number of new tokens ≥ 1. */
export function checkMaxNewTokens(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`generate: maxNewTokens must be an integer >= 1, got ${n}`);
}

/** Generate up to `maxNewTokens` per prompt with `stepper` (ragged prompts are left-padded into one batch). */
export async function generateWithStepper(
  stepper: EngineStepper,
  prompts: IdSequences,
  opts: GenerateOptions,
): Promise<GenerateResult> {
  checkSamplingOptions(opts);
  checkMaxNewTokens(opts.maxNewTokens);
  const eosIds = opts.eosTokenIds ?? stepper.eosTokenIds;
  const eos = new Set(eosIds);
  const pad = opts.padTokenId ?? eosIds[0] ?? 0;
  const greedy = (opts.temperature ?? 0) === 0;
  const rng = opts.rng ?? (greedy ? undefined : createRandom({ seed: opts.seed ?? requireSeed() }));
  const B = prompts.length;
  const start = performance.now();

  /** Logits processor, then one sampled token per row; also returns the processed rows. */
  const choose = (out: StepOutput, step: number) => {
    const processed = opts.logitsProcessor ? opts.logitsProcessor(out.logits, B, step) : out.logits;
    const V = processed.length / B;
    const rows = Array.from({ length: B }, (_, b) => processed.subarray(b * V, (b + 1) * V));
    return { picks: rows.map((row): SampledToken => sampleToken(row, opts, rng)), rows };
  };

  const first = choose(await stepper.prefill(prompts, pad), 0);
  const promptLength = stepper.cacheLength;
  const timeToFirstTokenMs = performance.now() - start;
  const seqs: Generation[] = first.picks.map((p, b) => ({
    tokenIds: [p.tokenId],
    firstTokenProb: p.prob,
    firstTokenLogits: first.rows[b].slice(),
    finishReason: eos.has(p.tokenId) ? "eos" : "length",
  }));
  const done = seqs.map((s) => s.finishReason === "eos");
  const perTokenMs: number[] = [];
  for (let step = 1; step < opts.maxNewTokens && done.some((d) => !d); step++) {
    const t0 = performance.now();
    const feed = seqs.map((s, b) => (done[b] ? pad : s.tokenIds[s.tokenIds.length - 1]));
    const { picks } = choose(await stepper.decode(feed), step);
    picks.forEach((p, b) => {
      if (done[b]) return;
      seqs[b].tokenIds.push(p.tokenId);
      if (eos.has(p.tokenId)) {
        done[b] = true;
        seqs[b].finishReason = "eos";
      }
    });
    perTokenMs.push(performance.now() - t0);
  }
  return {
    sequences: seqs,
    timeToFirstTokenMs,
    perTokenMs,
    totalMs: performance.now() - start,
    promptLength,
  };
}

function requireSeed(): never {
  throw new Error("generate: temperature > 0 needs `seed` or `rng`");
}

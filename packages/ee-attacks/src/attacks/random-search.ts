/**
 * Baseline (paper §3.3.2, "random sampling"): draw random decryptions of the observed symbols,
 * score each by the bigram log-likelihood, keep the best. Plain ids are drawn without repetition
 * from `support` (the attacker's natural support: ids seen in the prior; the whole vocabulary when
 * the support is smaller than the number of symbols). Guesses of the best samples form the ranking.
 */
import type { RandomSource } from "ee-core";
import { assignmentLogLikelihood } from "../lm/assignment-score.js";
import type { BigramModel } from "../lm/bigram-model.js";
import type { ObservedStats } from "../lm/observed-stats.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { RandomSearchOptions, SearchResult } from "../types.js";

/** Default number of random samples. */
export const DEFAULT_RANDOM_SEARCH: RandomSearchOptions = { samples: 200 };

/** The ids with a positive count, or `0..V-1` when fewer than `need`. */
export function priorSupport(counts: Float64Array, need: number): Int32Array {
  const ids: number[] = [];
  for (let t = 0; t < counts.length; t++) if (counts[t] > 0) ids.push(t);
  return ids.length >= need ? Int32Array.from(ids) : Int32Array.from({ length: counts.length }, (_, i) => i);
}

/**
 * Fill `out[symbols[k]]` with distinct plain ids drawn uniformly from `support` (partial
 * Fisher–Yates on `scratch`, a copy of `support` that is left shuffled).
 */
export function drawAssignment(
  symbols: Int32Array,
  scratch: Int32Array,
  out: Int32Array,
  rng: RandomSource,
): void {
  if (scratch.length < symbols.length)
    throw new Error(
      `drawAssignment: support of ${scratch.length} ids cannot cover ${symbols.length} symbols`,
    );
  for (let k = 0; k < symbols.length; k++) {
    const j = k + rng.int(scratch.length - k);
    const t = scratch[k];
    scratch[k] = scratch[j];
    scratch[j] = t;
    out[symbols[k]] = scratch[k];
  }
}

/** Score `samples` random decryptions; keep the best and rank the guesses of the best `depth`. */
export function randomSearchAttack(
  model: BigramModel,
  stats: ObservedStats,
  opts: RandomSearchOptions,
  rng: RandomSource,
  depth = 10,
): SearchResult {
  if (!Number.isSafeInteger(opts.samples) || opts.samples < 1)
    throw new Error(`randomSearchAttack: samples must be a positive integer, got ${opts.samples}`);
  const V = model.vocabSize;
  const scratch = priorSupport(model.unigram, stats.symbols.length).slice();
  const current = new Int32Array(V).fill(-1);
  const kept: { ll: number; decrypt: Int32Array }[] = [];
  for (let s = 0; s < opts.samples; s++) {
    drawAssignment(stats.symbols, scratch, current, rng);
    const ll = assignmentLogLikelihood(model, stats, current);
    if (kept.length < depth || ll > kept[kept.length - 1].ll) {
      kept.push({ ll, decrypt: current.slice() });
      kept.sort((x, y) => y.ll - x.ll);
      if (kept.length > depth) kept.pop();
    }
  }
  const ranking = emptyRanking(V, depth);
  for (const k of kept) for (const e of stats.symbols) pushCandidate(ranking, e, k.decrypt[e]);
  return { decrypt: kept[0].decrypt, ranking, logLikelihood: kept[0].ll, evaluations: opts.samples };
}

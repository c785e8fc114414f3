/**
 * A bigram language model over plain token ids, built from the attacker's public text, with
 * interpolated absolute-discount smoothing:
 *
 *   P(y | x) = max(c(x,y) − D, 0) / c(x·) + (D · N₁₊(x·) / c(x·)) · P₁(y)
 *   P₁(y)    = (c(y) + 1) / (N + V)                       (add-one unigram)
 *
 * with `c(x·)` the count of `x` as a history and `N₁₊(x·)` the number of distinct successors of `x`.
 * Unseen histories fall back to `P₁`. Bigrams never cross document boundaries.
 */
import type { TokenCorpus } from "../types.js";
import { type Adjacency, buildAdjacency } from "./adjacency.js";
import { PairCounts } from "./pair-counts.js";

/** The model: counts plus what `logP` needs precomputed. */
export interface BigramModel {
  /** Vocabulary size `V`. */
  vocabSize: number;
  /** Absolute discount `D` in (0, 1). */
  discount: number;
  /** Bigram counts c(x, y). */
  pairs: PairCounts;
  /** Successor / predecessor lists of the plain bigram graph (for context-driven proposals). */
  adjacency: Adjacency;
  /** Unigram counts c(y). */
  unigram: Float64Array;
  /** `1 / c(x·)` per history (0 for unseen histories). */
  invHistory: Float64Array;
  /** Back-off weight `D · N₁₊(x·) / c(x·)` (1 for unseen histories). */
  backoff: Float64Array;
  /** Smoothed unigram `P₁(y)`. */
  uni: Float64Array;
}

/** Count bigrams of `corpus` (plain ids) and precompute the smoothing terms. */
export function buildBigramModel(corpus: TokenCorpus, vocabSize: number, discount: number): BigramModel {
  if (!(discount > 0 && discount < 1))
    throw new Error(`buildBigramModel: discount must be in (0, 1), got ${discount}`);
  const pairs = new PairCounts(vocabSize, 1 << 16);
  const unigram = new Float64Array(vocabSize);
  let total = 0;
  for (const doc of corpus.docs) {
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i];
      if (t < 0 || t >= vocabSize)
        throw new Error(`buildBigramModel: corpus "${corpus.name}" has id ${t} outside [0, ${vocabSize})`);
      unigram[t]++;
      total++;
      if (i > 0) pairs.add(doc[i - 1], t);
    }
  }
  const history = new Float64Array(vocabSize);
  const distinctNext = new Float64Array(vocabSize);
  pairs.forEach((a, _b, c) => {
    history[a] += c;
    distinctNext[a]++;
  });
  const invHistory = new Float64Array(vocabSize);
  const backoff = new Float64Array(vocabSize).fill(1);
  const uni = new Float64Array(vocabSize);
  for (let t = 0; t < vocabSize; t++) {
    uni[t] = (unigram[t] + 1) / (total + vocabSize);
    if (history[t] > 0) {
      invHistory[t] = 1 / history[t];
      backoff[t] = (discount * distinctNext[t]) / history[t];
    }
  }
  return { vocabSize, discount, pairs, adjacency: buildAdjacency(pairs), unigram, invHistory, backoff, uni };
}

/** log P(y | x) under the smoothed model (natural log). */
export function bigramLogP(m: BigramModel, x: number, y: number): number {
  const inv = m.invHistory[x];
  if (inv === 0) return Math.log(m.uni[y]);
  const c = m.pairs.get(x, y);
  const direct = c > m.discount ? (c - m.discount) * inv : 0;
  return Math.log(direct + m.backoff[x] * m.uni[y]);
}

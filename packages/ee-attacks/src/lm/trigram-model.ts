/**
 * A trigram language model over plain token ids, interpolated with the bigram model by absolute
 * discounting (a Kneser–Ney-lite: the same recursion, raw counts instead of continuation counts):
 *
 *   P₃(z | x, y) = max(c(x,y,z) − D, 0) / c(x,y,·) + (D · N₁₊(x,y,·) / c(x,y,·)) · P₂(z | y)
 *
 * with `c(x,y,·)` the count of the history `(x, y)` and `N₁₊(x,y,·)` its distinct successors; an unseen
 * history backs off to `P₂` (the bigram model, itself interpolated down to an add-one unigram).
 * Trigrams never cross document boundaries.
 */
import type { TokenCorpus } from "../types.js";
import { type BigramModel, bigramLogP } from "./bigram-model.js";
import { PairCounts } from "./pair-counts.js";
import { TripleCounts } from "./triple-counts.js";

/** The model: trigram counts, history statistics, and the bigram model it backs off to. */
export interface TrigramModel {
  /** Vocabulary size `V`. */
  vocabSize: number;
  /** Absolute discount `D` in (0, 1). */
  discount: number;
  /** Trigram counts c(x, y, z). */
  triples: TripleCounts;
  /** History counts c(x, y, ·). */
  history: PairCounts;
  /** Distinct successors N₁₊(x, y, ·). */
  successors: PairCounts;
  /** The bigram model of the same text (back-off, and the hill climb's proposals). */
  bigram: BigramModel;
}

/** Count the trigrams of `corpus` (plain ids); `bigram` is the same corpus's bigram model. */
export function buildTrigramModel(corpus: TokenCorpus, bigram: BigramModel, discount: number): TrigramModel {
  if (!(discount > 0 && discount < 1))
    throw new Error(`buildTrigramModel: discount must be in (0, 1), got ${discount}`);
  const V = bigram.vocabSize;
  const triples = new TripleCounts(V, 1 << 18);
  for (const doc of corpus.docs)
    for (let i = 2; i < doc.length; i++) {
      const z = doc[i];
      if (z < 0 || z >= V)
        throw new Error(`buildTrigramModel: corpus "${corpus.name}" has id ${z} outside [0, ${V})`);
      triples.add(doc[i - 2], doc[i - 1], z);
    }
  const history = new PairCounts(V, 1 << 16);
  const successors = new PairCounts(V, 1 << 16);
  triples.forEach((x, y, _z, c) => {
    history.add(x, y, c);
    successors.add(x, y, 1);
  });
  return { vocabSize: V, discount, triples, history, successors, bigram };
}

/** log P₃(z | x, y) under the interpolated model (natural log). */
export function trigramLogP(m: TrigramModel, x: number, y: number, z: number): number {
  const h = m.history.get(x, y);
  if (h === 0) return bigramLogP(m.bigram, y, z);
  const c = m.triples.get(x, y, z);
  const direct = c > m.discount ? (c - m.discount) / h : 0;
  const backoff = (m.discount * m.successors.get(x, y)) / h;
  return Math.log(direct + backoff * Math.exp(bigramLogP(m.bigram, y, z)));
}

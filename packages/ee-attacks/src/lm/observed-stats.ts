/**
 * What an attacker extracts from observed encrypted traffic: unigram counts, bigram counts (within
 * documents) as flat arrays and as adjacency lists, and the distinct symbols in frequency order.
 */
import type { TokenCorpus } from "../types.js";
import { type Adjacency, buildAdjacency } from "./adjacency.js";
import { PairCounts } from "./pair-counts.js";
import { frequencyOrder, unigramCounts } from "./unigram.js";

/** Statistics of an encrypted id stream. */
export interface ObservedStats {
  /** Vocabulary size `V`. */
  vocabSize: number;
  /** Encrypted tokens observed. */
  tokens: number;
  /** Count of each encrypted id. */
  unigram: Float64Array;
  /** Encrypted ids that occur, most frequent first. */
  symbols: Int32Array;
  /** Distinct bigrams as parallel arrays: `first[k] → second[k]` seen `count[k]` times. */
  first: Int32Array;
  /** Second id of each distinct bigram. */
  second: Int32Array;
  /** Count of each distinct bigram. */
  count: Float64Array;
  /** Out/in adjacency of the observed bigram graph. */
  adjacency: Adjacency;
}

/** Collect the statistics of `observed` (encrypted ids). */
export function observedStats(observed: TokenCorpus, vocabSize: number): ObservedStats {
  const unigram = unigramCounts(observed, vocabSize);
  const pairs = new PairCounts(vocabSize, 1 << 12);
  let tokens = 0;
  for (const doc of observed.docs) {
    tokens += doc.length;
    for (let i = 1; i < doc.length; i++) pairs.add(doc[i - 1], doc[i]);
  }
  const first = new Int32Array(pairs.size);
  const second = new Int32Array(pairs.size);
  const count = new Float64Array(pairs.size);
  let k = 0;
  pairs.forEach((a, b, c) => {
    first[k] = a;
    second[k] = b;
    count[k] = c;
    k++;
  });
  const { order } = frequencyOrder(unigram);
  let distinct = 0;
  while (distinct < order.length && unigram[order[distinct]] > 0) distinct++;
  return {
    vocabSize,
    tokens,
    unigram,
    symbols: order.slice(0, distinct),
    first,
    second,
    count,
    adjacency: buildAdjacency(pairs),
  };
}

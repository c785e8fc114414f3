/**
 * Unigram statistics of token corpora: counts and the frequency order (most frequent first).
 */
import type { TokenCorpus } from "../types.js";

/** Occurrences of each id `0..vocabSize-1` in `corpus`. */
export function unigramCounts(corpus: TokenCorpus, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (const doc of corpus.docs) {
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i];
      if (t < 0 || t >= vocabSize)
        throw new Error(`unigramCounts: corpus "${corpus.name}" has id ${t} outside [0, ${vocabSize})`);
      counts[t]++;
    }
  }
  return counts;
}

/**
 * All ids sorted by descending count; ties by ascending id. Ids in `exclude` (a 0/1 mask) are left out.
 * Returns the order; `rankOf[id]` gives the position in it (`-1` for excluded ids).
 */
export function frequencyOrder(
  counts: Float64Array,
  exclude?: Uint8Array,
): { order: Int32Array; rankOf: Int32Array } {
  const ids: number[] = [];
  for (let t = 0; t < counts.length; t++) if (!exclude?.[t]) ids.push(t);
  ids.sort((x, y) => counts[y] - counts[x] || x - y);
  const order = Int32Array.from(ids);
  const rankOf = new Int32Array(counts.length).fill(-1);
  for (let r = 0; r < order.length; r++) rankOf[order[r]] = r;
  return { order, rankOf };
}

/** Total number of tokens in a corpus. */
export function tokenCount(corpus: TokenCorpus): number {
  let n = 0;
  for (const doc of corpus.docs) n += doc.length;
  return n;
}

/**
 * The first `maxTokens` tokens of a corpus, whole documents first and the last one cut; the name
 * records the cut.
 */
export function truncateCorpus(corpus: TokenCorpus, maxTokens: number): TokenCorpus {
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 1)
    throw new Error(`truncateCorpus: maxTokens must be a positive integer, got ${maxTokens}`);
  const docs: Int32Array[] = [];
  let left = maxTokens;
  for (const doc of corpus.docs) {
    if (left <= 0) break;
    const take = Math.min(left, doc.length);
    docs.push(take === doc.length ? doc : doc.subarray(0, take));
    left -= take;
  }
  return { name: `${corpus.name} (first ${maxTokens - Math.max(left, 0)} tokens)`, docs };
}

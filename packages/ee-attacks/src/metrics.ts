/**
 * Scoring: how much of the secret vocabulary mapping an attack recovered.
 *
 * - mapping recovery: over a set of encrypted ids (those that occur in the observed traffic, or all
 *   rows), the share whose true plain id is the first guess (top-1) or among the first 10 (top-10);
 * - held-out decryption: the share of tokens of held-out encrypted prompts whose first guess is right;
 * - observation recovery: the same for per-observation rankings (hidden-state inversion).
 */
import type { Permutation } from "ee-core";
import type {
  AttackSuiteInput,
  CandidateRanking,
  ObservationRanking,
  RecoveryScore,
  TokenCorpus,
} from "./types.js";

/** Number of guesses counted by the top-10 metric. */
export const TOP_K = 10;

/** The decryption σ = π⁻¹ (encrypted → plain) of a permutation π (plain → encrypted). */
export function decryptionOf(truePermutation: Permutation): Int32Array {
  const inv = new Int32Array(truePermutation.length).fill(-1);
  for (let t = 0; t < truePermutation.length; t++) {
    const e = truePermutation[t];
    if (e < 0 || e >= truePermutation.length || inv[e] !== -1)
      throw new Error(`decryptionOf: truePermutation is not a permutation (value at ${t})`);
    inv[e] = t;
  }
  return inv;
}

/** Number of encrypted ids of an input: V, or V' under homophonic ids. */
export function encryptedVocabSize(input: AttackSuiteInput): number {
  return input.homophonic?.trueDecryption.length ?? input.vocabSize;
}

/** The distinct ids occurring in a corpus, ascending. `vocabSize` bounds the ids. */
export function distinctIds(corpus: TokenCorpus, vocabSize: number): Int32Array {
  const seen = new Uint8Array(vocabSize);
  for (const doc of corpus.docs) {
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i];
      if (t < 0 || t >= vocabSize)
        throw new Error(`distinctIds: corpus "${corpus.name}" has id ${t} outside [0, ${vocabSize})`);
      seen[t] = 1;
    }
  }
  let n = 0;
  for (let t = 0; t < vocabSize; t++) n += seen[t];
  const out = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < vocabSize; t++) if (seen[t]) out[k++] = t;
  return out;
}

/** Top-1 / top-10 recovery of the mapping over `scoredEncIds` (all ids when absent). */
export function scoreRanking(
  ranking: CandidateRanking,
  truePermutation: Permutation,
  scoredEncIds?: Int32Array,
): RecoveryScore {
  if (truePermutation.length !== ranking.vocabSize) {
    throw new Error(
      `scoreRanking: truePermutation has length ${truePermutation.length}, ranking covers ${ranking.vocabSize} ids`,
    );
  }
  return scoreDecryption(ranking, decryptionOf(truePermutation), scoredEncIds);
}

/** `scoreRanking` against the true decryption σ (encrypted id → plain id, one per encrypted id). */
export function scoreDecryption(
  ranking: CandidateRanking,
  sigma: Int32Array,
  scoredEncIds?: Int32Array,
): RecoveryScore {
  if (sigma.length !== ranking.vocabSize)
    throw new Error(`scoreDecryption: σ has length ${sigma.length}, ranking covers ${ranking.vocabSize} ids`);
  const ids = scoredEncIds ?? Int32Array.from({ length: ranking.vocabSize }, (_, i) => i);
  const kMax = Math.min(TOP_K, ranking.depth);
  let hit1 = 0;
  let hit10 = 0;
  for (let n = 0; n < ids.length; n++) {
    const e = ids[n];
    const truth = sigma[e];
    const base = e * ranking.depth;
    if (ranking.ids[base] === truth) hit1++;
    for (let k = 0; k < kMax; k++) {
      if (ranking.ids[base + k] === truth) {
        hit10++;
        break;
      }
    }
  }
  const scored = ids.length;
  return { top1Pct: pct(hit1, scored), top10Pct: pct(hit10, scored), scoredIds: scored };
}

/** Share of tokens of held-out encrypted docs decrypted correctly by the first guess. */
export function heldOutDecryption(
  ranking: CandidateRanking,
  truePermutation: Permutation,
  heldOut: TokenCorpus,
): { pct: number; tokens: number } {
  const sigma = decryptionOf(truePermutation);
  let right = 0;
  let total = 0;
  for (const doc of heldOut.docs) {
    for (let i = 0; i < doc.length; i++) {
      const e = doc[i];
      if (e < 0 || e >= ranking.vocabSize)
        throw new Error(
          `heldOutDecryption: held-out corpus "${heldOut.name}" has id ${e} outside [0, ${ranking.vocabSize})`,
        );
      if (ranking.ids[e * ranking.depth] === sigma[e]) right++;
      total++;
    }
  }
  return { pct: pct(right, total), tokens: total };
}

/** Top-1 / top-10 recovery of per-observation rankings against the true plain ids. */
export function scoreObservations(ranking: ObservationRanking, trueIds: Int32Array): RecoveryScore {
  if (trueIds.length !== ranking.count)
    throw new Error(`scoreObservations: ${trueIds.length} true ids for ${ranking.count} observations`);
  const kMax = Math.min(TOP_K, ranking.depth);
  let hit1 = 0;
  let hit10 = 0;
  for (let n = 0; n < ranking.count; n++) {
    const base = n * ranking.depth;
    if (ranking.ids[base] === trueIds[n]) hit1++;
    for (let k = 0; k < kMax; k++) {
      if (ranking.ids[base + k] === trueIds[n]) {
        hit10++;
        break;
      }
    }
  }
  return { top1Pct: pct(hit1, ranking.count), top10Pct: pct(hit10, ranking.count), scoredIds: ranking.count };
}

/** `100 · part / whole`, 0 when `whole` is 0. */
function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}

/**
 * Ciphertext-only attack 1: frequency-rank matching. The r-th most frequent encrypted id is guessed
 * to be the r-th most frequent plain id of the attacker's public prior; the next guesses are the
 * plain ids at neighbouring ranks (r+1, r−1, r+2, …). Anchor pairs (known plaintext), when given,
 * are fixed first and removed from both rankings.
 */
import { frequencyOrder } from "../lm/unigram.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { AnchorPairs, DecryptionGuess } from "../types.js";

/**
 * Match encrypted ids to plain ids by frequency rank.
 * @param priorCounts plain-id counts of the attacker's prior, length V
 * @param observedCounts encrypted-id counts of the observed traffic, length V
 */
export function frequencyAttack(
  priorCounts: Float64Array,
  observedCounts: Float64Array,
  anchors?: AnchorPairs,
  depth = 10,
): DecryptionGuess {
  const V = priorCounts.length;
  if (observedCounts.length !== V)
    throw new Error(`frequencyAttack: observedCounts has length ${observedCounts.length}, priorCounts ${V}`);
  const plainFixed = new Uint8Array(V);
  const encFixed = new Uint8Array(V);
  const decrypt = new Int32Array(V).fill(-1);
  const ranking = emptyRanking(V, depth);
  if (anchors) {
    if (anchors.plain.length !== anchors.encrypted.length)
      throw new Error("frequencyAttack: anchors.plain and anchors.encrypted differ in length");
    for (let k = 0; k < anchors.plain.length; k++) {
      const p = anchors.plain[k];
      const e = anchors.encrypted[k];
      if (plainFixed[p] || encFixed[e])
        throw new Error(`frequencyAttack: anchor ${k} repeats a plain or encrypted id`);
      plainFixed[p] = 1;
      encFixed[e] = 1;
      decrypt[e] = p;
      pushCandidate(ranking, e, p);
    }
  }
  const plain = frequencyOrder(priorCounts, plainFixed).order;
  const enc = frequencyOrder(observedCounts, encFixed).order;
  const n = enc.length; // equals plain.length: both exclude the same number of anchors
  for (let r = 0; r < n; r++) {
    const e = enc[r];
    decrypt[e] = plain[r];
    // r, r+1, r−1, r+2, r−2, … until the list is full
    for (let off = 0; ranking.ids[e * depth + depth - 1] === -1 && off < n; off++) {
      if (r + off < n) pushCandidate(ranking, e, plain[r + off]);
      if (off > 0 && r - off >= 0) pushCandidate(ranking, e, plain[r - off]);
    }
  }
  return { decrypt, ranking };
}

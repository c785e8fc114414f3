/**
 * Frequency-rank matching against homophonic traffic (scheme `homophonic`: token t travels as one of
 * k_t encrypted ids, V' = V + extra ids). Two attackers:
 * - naive (`copies` = null): the plain frequency attack, blind to the homophones — the r-th most
 *   frequent encrypted id is guessed to be the r-th most frequent prior token (ranks ≥ V get none);
 * - homophone-aware (`copies` = the attacker's estimate of k_t, from its own prior by the scheme's
 *   public sizing rule and the public V' − V): the prior is split into V' slots, token t into k_t
 *   slots of count c_t / k_t each, and the r-th most frequent encrypted id is guessed to be the token
 *   of the r-th most frequent slot. This is the frequency attack a homophonic scheme must resist.
 * Next guesses: the tokens of neighbouring ranks (r+1, r−1, …), repeats skipped. Anchors (known
 * plaintext) are fixed first; an anchored token's slots leave the prior ranking.
 */
import { frequencyOrder } from "../lm/unigram.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { AnchorPairs, CandidateRanking } from "../types.js";

/**
 * Ranked plain guesses for every encrypted id.
 * @param priorCounts plain-id counts of the attacker's prior `[V]`
 * @param observedCounts encrypted-id counts of the observed traffic `[V']`
 * @param copies the attacker's k_t `[V]` (homophone-aware), or null (naive)
 */
export function homophoneFrequencyAttack(
  priorCounts: Float64Array,
  observedCounts: Float64Array,
  copies: Int32Array | null,
  anchors?: AnchorPairs,
  depth = 10,
): CandidateRanking {
  const V = priorCounts.length;
  const Vp = observedCounts.length;
  if (Vp < V) throw new Error(`homophoneFrequencyAttack: ${Vp} encrypted ids for ${V} plain ids`);
  if (copies !== null && copies.length !== V)
    throw new Error(`homophoneFrequencyAttack: copies has length ${copies.length}, priorCounts ${V}`);
  const ranking = emptyRanking(Vp, depth);
  const plainFixed = new Uint8Array(V);
  const encFixed = new Uint8Array(Vp);
  if (anchors) {
    for (let i = 0; i < anchors.plain.length; i++) {
      plainFixed[anchors.plain[i]] = 1;
      encFixed[anchors.encrypted[i]] = 1;
      pushCandidate(ranking, anchors.encrypted[i], anchors.plain[i]);
    }
  }
  const plain = priorSlotOrder(priorCounts, copies, plainFixed);
  const enc = frequencyOrder(observedCounts, encFixed).order;
  const n = plain.length;
  for (let r = 0; r < enc.length && r < n; r++) {
    const e = enc[r];
    for (let off = 0; ranking.ids[e * depth + depth - 1] === -1 && off < n; off++) {
      if (r + off < n) pushCandidate(ranking, e, plain[r + off]);
      if (off > 0 && r - off >= 0) pushCandidate(ranking, e, plain[r - off]);
    }
  }
  return ranking;
}

/**
 * The prior's slots, most frequent first: token t contributes k_t slots of c_t / k_t (one slot when
 * `copies` is null); tokens marked in `skip` contribute none. Returns the token of each slot.
 */
export function priorSlotOrder(
  priorCounts: Float64Array,
  copies: Int32Array | null,
  skip?: Uint8Array,
): Int32Array {
  const slotToken: number[] = [];
  const slotCount: number[] = [];
  for (let t = 0; t < priorCounts.length; t++) {
    if (skip?.[t]) continue;
    const k = copies === null ? 1 : copies[t];
    for (let c = 0; c < k; c++) {
      slotToken.push(t);
      slotCount.push(priorCounts[t] / k);
    }
  }
  const slots = Int32Array.from(slotToken.keys()).sort(
    (a, b) => slotCount[b] - slotCount[a] || slotToken[a] - slotToken[b] || a - b,
  );
  return slots.map((s) => slotToken[s]);
}

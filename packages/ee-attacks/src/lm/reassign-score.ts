/**
 * Scorers for many-to-one decryptions (homophonic ids: several encrypted ids per plain token). Besides
 * the exchange of two ids' plain tokens (`swapDelta`, as for a permutation), a many-to-one map allows
 * re-assigning ONE encrypted id to another plain token; `reassignDelta` gives
 *
 *   S(σ') − S(σ),  σ' = σ with σ'(a) = q,
 *
 * for the bigram loss S (`lm/assignment-score.ts`) or the trigram loss S₃ (`lm/trigram-score.ts`),
 * touching only the observed n-grams that contain `a`. Each copy of a token keeps its own observed
 * n-gram counts, so S(σ) is exactly the LM log-likelihood of the decrypted text.
 */
import { type AssignmentScorer, bigramScorer } from "./assignment-score.js";
import { type BigramModel, bigramLogP } from "./bigram-model.js";
import type { ObservedStats } from "./observed-stats.js";
import type { TrigramModel } from "./trigram-model.js";
import { type ObservedTrigrams, trigramScorer, trigramTerm } from "./trigram-score.js";

/** A loss over many-to-one decryptions: swaps and single re-assignments. */
export interface ReassignScorer extends AssignmentScorer {
  /** S(σ') − S(σ) for σ' = σ with encrypted id `a` decrypted as plain id `q` (nats). */
  reassignDelta(decrypt: Int32Array, a: number, q: number): number;
}

/** The bigram loss with re-assignments. */
export function bigramReassignScorer(model: BigramModel, stats: ObservedStats): ReassignScorer {
  const base = bigramScorer(model, stats);
  const { out, in: inn } = stats.adjacency;
  return {
    ...base,
    reassignDelta(decrypt, a, q) {
      const p = decrypt[a];
      if (p === q) return 0;
      let delta = 0;
      // bigrams a → j (a self-loop a → a changes on both sides)
      for (let k = out.start[a]; k < out.start[a + 1]; k++) {
        const j = out.nbr[k];
        const dj = j === a ? q : decrypt[j];
        const bj = decrypt[j];
        delta += out.count[k] * (bigramLogP(model, q, dj) - bigramLogP(model, p, bj));
      }
      // bigrams i → a from other ids
      for (let k = inn.start[a]; k < inn.start[a + 1]; k++) {
        const i = inn.nbr[k];
        if (i === a) continue;
        delta += inn.count[k] * (bigramLogP(model, decrypt[i], q) - bigramLogP(model, decrypt[i], p));
      }
      return delta;
    },
  };
}

/** The trigram loss with re-assignments. */
export function trigramReassignScorer(model: TrigramModel, obs: ObservedTrigrams): ReassignScorer {
  const base = trigramScorer(model, obs);
  return {
    ...base,
    reassignDelta(decrypt, a, q) {
      const p = decrypt[a];
      if (p === q) return 0;
      const before = (x: number): number => decrypt[x];
      const after = (x: number): number => (x === a ? q : decrypt[x]);
      let delta = 0;
      for (let k = obs.start[a]; k < obs.start[a + 1]; k++) {
        const t = obs.incident[k];
        delta += trigramTerm(model, obs, after, t) - trigramTerm(model, obs, before, t);
      }
      return delta;
    },
  };
}

/**
 * The attacker's loss (paper §3.3.1, "linguistic domain knowledge"): the log-likelihood of the
 * decrypted observed traffic under the public bigram model,
 *
 *   S(σ) = Σ_{(i,j)} C_obs(i, j) · log P(σ(j) | σ(i)),
 *
 * summed over the distinct observed encrypted bigrams `(i, j)` with counts `C_obs`. `σ` (here
 * `decrypt`) maps encrypted → plain ids.
 *
 * `swapDelta` gives S(σ') − S(σ) for σ' = σ with the images of `a` and `z` exchanged, touching only
 * the observed bigrams that contain `a` or `z` — the incremental scorer of the hill climb.
 */
import { type BigramModel, bigramLogP } from "./bigram-model.js";
import type { ObservedStats } from "./observed-stats.js";

/** A loss over decryptions σ (encrypted → plain) that the hill climb maximises. */
export interface AssignmentScorer {
  /** S(σ) in full (nats). */
  logLikelihood(decrypt: Int32Array): number;
  /** S(σ') − S(σ) for σ' = σ with the plain ids of `a` and `z` exchanged (nats). */
  swapDelta(decrypt: Int32Array, a: number, z: number): number;
}

/** The bigram loss S as a scorer. */
export function bigramScorer(model: BigramModel, stats: ObservedStats): AssignmentScorer {
  return {
    logLikelihood: (decrypt) => assignmentLogLikelihood(model, stats, decrypt),
    swapDelta: (decrypt, a, z) => swapDelta(model, stats, decrypt, a, z),
  };
}

/** Full log-likelihood S(σ) of the observed bigrams under `decrypt`. */
export function assignmentLogLikelihood(
  model: BigramModel,
  stats: ObservedStats,
  decrypt: Int32Array,
): number {
  let s = 0;
  for (let k = 0; k < stats.count.length; k++) {
    s += stats.count[k] * bigramLogP(model, decrypt[stats.first[k]], decrypt[stats.second[k]]);
  }
  return s;
}

/** S(σ') − S(σ) where σ' swaps the plain ids of encrypted ids `a` and `z` (a ≠ z). */
export function swapDelta(
  model: BigramModel,
  stats: ObservedStats,
  decrypt: Int32Array,
  a: number,
  z: number,
): number {
  const pa = decrypt[a];
  const pz = decrypt[z];
  const after = (x: number): number => (x === a ? pz : x === z ? pa : decrypt[x]);
  const { out, in: inn } = stats.adjacency;
  let delta = 0;
  // out-edges of a and z: every bigram whose first symbol is a or z (including a→z, z→a, a→a, …)
  for (let side = 0; side < 2; side++) {
    const s = side === 0 ? a : z;
    for (let k = out.start[s]; k < out.start[s + 1]; k++) {
      const j = out.nbr[k];
      delta +=
        out.count[k] * (bigramLogP(model, after(s), after(j)) - bigramLogP(model, decrypt[s], decrypt[j]));
    }
  }
  // in-edges of a and z from other symbols (edges from a or z were counted above)
  for (let side = 0; side < 2; side++) {
    const s = side === 0 ? a : z;
    for (let k = inn.start[s]; k < inn.start[s + 1]; k++) {
      const i = inn.nbr[k];
      if (i === a || i === z) continue;
      delta +=
        inn.count[k] * (bigramLogP(model, decrypt[i], after(s)) - bigramLogP(model, decrypt[i], decrypt[s]));
    }
  }
  return delta;
}

/**
 * Ciphertext-only attack 2 (paper §3.3.2, "hill-climbing"): starting from a decryption guess
 * (normally the frequency solution), repeatedly try exchanging the plain ids of two encrypted ids
 * and keep the exchange when it raises the log-likelihood S(σ) of the observed traffic under a public
 * language model (`input.scorer`: by default the bigram loss of `lm/assignment-score.ts`; the trigram
 * loss of `lm/trigram-score.ts`), evaluated incrementally. Sweeps visit every observed symbol; each
 * tries a few proposals and takes the best improving one. Restarts perturb the best solution.
 *
 * Proposals for symbol `a` (observed frequency rank `r`):
 * - rank window: a plain id whose prior rank is near `r` (log-normal factor, ± a few places);
 * - context: a plain id that the prior text often puts after the current decryption of one of
 *   `a`'s observed predecessors (or before one of its successors).
 * The final ranking lists the hill-climb's answer first, then the best alternatives by swap score.
 */
import type { RandomSource } from "ee-core";
import { bigramScorer } from "../lm/assignment-score.js";
import type { BigramModel } from "../lm/bigram-model.js";
import type { ObservedStats } from "../lm/observed-stats.js";
import { frequencyOrder } from "../lm/unigram.js";
import { appendRanking, emptyRanking, pushCandidate } from "../ranking.js";
import type { HillClimbInput, HillClimbOptions, HillClimbResult } from "../types.js";

/**
 * Proposals whose current owner `z` was observed more than `FREQUENCY_RATIO · count(a) + FREQUENCY_SLACK`
 * times are skipped unscored: handing a frequent symbol's plain id to a much rarer one almost never
 * raises S, and scoring it costs the frequent symbol's (long) edge list.
 */
const FREQUENCY_RATIO = 16;
/** See FREQUENCY_RATIO (occurrences). */
const FREQUENCY_SLACK = 8;

/** Default hill-climb settings. */
export const DEFAULT_HILL_CLIMB: HillClimbOptions = {
  restarts: 3,
  maxPasses: 8,
  proposalsPerSymbol: 12,
  perturbSwaps: 200,
  discount: 0.75,
};

/** Run the hill climb. */
export function hillClimbAttack(
  input: HillClimbInput,
  opts: HillClimbOptions,
  rng: RandomSource,
  depth = 10,
): HillClimbResult {
  const { model, stats } = input;
  const score = input.scorer ?? bigramScorer(model, stats);
  const V = model.vocabSize;
  if (input.start.length !== V)
    throw new Error(`hillClimbAttack: start has length ${input.start.length}, vocabulary is ${V}`);
  for (const [k, v] of Object.entries(opts))
    if (!(Number.isFinite(v) && v >= 0))
      throw new Error(`hillClimbAttack: option ${k} must be a finite non-negative number, got ${v}`);
  const frozen = input.frozen ?? new Uint8Array(V);
  const priorOrder = frequencyOrder(model.unigram).order;
  const movable = Int32Array.from(Array.from(stats.symbols).filter((s) => !frozen[s]));
  const obsRank = new Int32Array(V);
  stats.symbols.forEach((s, r) => {
    obsRank[s] = r;
  });

  const decrypt = input.start.slice();
  const inverse = new Int32Array(V);
  for (let e = 0; e < V; e++) inverse[decrypt[e]] = e;
  const startLL = score.logLikelihood(decrypt);
  let ll = startLL;
  let best = decrypt.slice();
  let bestLL = ll;
  let swapsAccepted = 0;
  let proposalsScored = 0;

  const propose = (a: number): number => proposePlain(a, decrypt, obsRank[a], priorOrder, model, stats, rng);
  const applySwap = (a: number, z: number): void => {
    const pa = decrypt[a];
    const pz = decrypt[z];
    decrypt[a] = pz;
    decrypt[z] = pa;
    inverse[pz] = a;
    inverse[pa] = z;
  };

  for (let restart = 0; restart < Math.max(1, opts.restarts); restart++) {
    if (restart > 0) {
      decrypt.set(best);
      for (let e = 0; e < V; e++) inverse[decrypt[e]] = e;
      for (let s = 0; s < opts.perturbSwaps && movable.length > 1; s++) {
        const a = movable[rng.int(movable.length)];
        const z = movable[rng.int(movable.length)];
        if (a !== z) applySwap(a, z);
      }
      ll = score.logLikelihood(decrypt);
    }
    for (let pass = 0; pass < opts.maxPasses; pass++) {
      let improved = 0;
      for (let n = 0; n < movable.length; n++) {
        const a = movable[n];
        let bestZ = -1;
        let bestDelta = 1e-9;
        const budget = FREQUENCY_RATIO * stats.unigram[a] + FREQUENCY_SLACK;
        for (let p = 0; p < opts.proposalsPerSymbol; p++) {
          const q = propose(a);
          const z = inverse[q];
          if (z === a || frozen[z] || stats.unigram[z] > budget) continue;
          const d = score.swapDelta(decrypt, a, z);
          proposalsScored++;
          if (d > bestDelta) {
            bestDelta = d;
            bestZ = z;
          }
        }
        if (bestZ >= 0) {
          applySwap(a, bestZ);
          ll += bestDelta;
          improved++;
          swapsAccepted++;
        }
      }
      if (improved === 0) break;
    }
    if (ll > bestLL) {
      bestLL = ll;
      best = decrypt.slice();
    }
  }

  // ranking: the answer, then alternatives ordered by how little the swap would cost
  decrypt.set(best);
  for (let e = 0; e < V; e++) inverse[decrypt[e]] = e;
  const ranking = emptyRanking(V, depth);
  for (let e = 0; e < V; e++) pushCandidate(ranking, e, decrypt[e]);
  for (let n = 0; n < movable.length; n++) {
    const a = movable[n];
    const alts = new Map<number, number>();
    const budget = stats.unigram[a] + FREQUENCY_SLACK; // alternatives only: a tighter filter
    for (let p = 0; p < 2 * opts.proposalsPerSymbol; p++) {
      const q = propose(a);
      const z = inverse[q];
      if (z === a || frozen[z] || alts.has(q) || stats.unigram[z] > budget) continue;
      alts.set(q, score.swapDelta(decrypt, a, z));
    }
    const sorted = [...alts.entries()].sort((x, y) => y[1] - x[1]);
    for (const [q] of sorted) pushCandidate(ranking, a, q);
  }
  if (input.fallback) appendRanking(ranking, input.fallback);
  return {
    decrypt: best,
    ranking,
    startLogLikelihood: startLL,
    logLikelihood: bestLL,
    swapsAccepted,
    proposalsScored,
  };
}

/**
 * One proposed plain id for encrypted symbol `a` (see the module comment); `order` ranks the plain ids
 * the rank window draws from (the prior's frequency order, or the homophone-aware climb's slot order).
 */
export function proposePlain(
  a: number,
  decrypt: Int32Array,
  rank: number,
  order: Int32Array,
  model: BigramModel,
  stats: ObservedStats,
  rng: RandomSource,
): number {
  const { out: obsOut, in: obsIn } = stats.adjacency;
  const { out: lmOut, in: lmIn } = model.adjacency;
  if (rng.float() < 0.5) {
    // context: a plain successor of a predecessor's decryption, or a predecessor of a successor's
    const useIn = rng.float() < 0.5;
    const rows = useIn ? obsIn : obsOut;
    const deg = rows.start[a + 1] - rows.start[a];
    if (deg > 0) {
      const nb = rows.nbr[rows.start[a] + rng.int(Math.min(deg, 8))];
      const ctx = decrypt[nb];
      const lm = useIn ? lmOut : lmIn;
      const ldeg = lm.start[ctx + 1] - lm.start[ctx];
      if (ldeg > 0) return lm.nbr[lm.start[ctx] + rng.int(Math.min(ldeg, 32))];
    }
  }
  // rank window: prior rank ≈ observed rank × e^(0.7·g) ± 2
  const g = rng.gaussian();
  const r = Math.round((rank + 1) * Math.exp(0.7 * g)) - 1 + rng.int(5) - 2;
  return order[Math.min(order.length - 1, Math.max(0, r))];
}

/**
 * Public-weights attack, refinement: from confident row matches (any invariant matcher), solve the
 * orthogonal Procrustes problem for the hidden basis (E' ≈ Π E Q̂), then re-match EVERY row by where
 * its plain row lands, `e_t Q̂`, against the encrypted rows (random projections to k dims + window
 * search), and iterate. Q̂ is also the attacker's basis estimate for hidden-state inversion.
 */
import type { RandomSource } from "ee-core";
import { matmul } from "ee-core";
import { procrustesRotation } from "../linalg/procrustes.js";
import { checkMatrix, projectRows } from "../linalg/rows.js";
import { windowMatch } from "../linalg/window-match.js";
import type {
  CandidateRanking,
  ProcrustesMatchOptions,
  ProcrustesMatchResult,
  SeedMatches,
  WeightsView,
} from "../types.js";

/** Default settings (maxAnchors 0 = 2·d). */
export const DEFAULT_PROCRUSTES_MATCH: ProcrustesMatchOptions = { rounds: 2, maxAnchors: 0, projections: 16 };

/** Refine `seed` by Procrustes + re-matching. Throws when fewer than d confident pairs exist. */
export function procrustesMatch(
  w: WeightsView,
  seed: SeedMatches,
  rng: RandomSource,
  opts: ProcrustesMatchOptions = DEFAULT_PROCRUSTES_MATCH,
): ProcrustesMatchResult {
  const E = w.plainEmbedding;
  const Ee = w.encryptedEmbedding;
  checkMatrix(E, "procrustesMatch: plainEmbedding");
  checkMatrix(Ee, "procrustesMatch: encryptedEmbedding");
  const d = E.cols;
  const V = E.rows;
  const depth = seed.ranking.depth;
  const maxAnchors = opts.maxAnchors > 0 ? opts.maxAnchors : 2 * d;
  const k = opts.projections;
  let ranking = seed.ranking;
  let best = seed.best;
  let tolerance = seed.tolerance;
  let result: ProcrustesMatchResult | null = null;
  for (let round = 0; round < Math.max(1, opts.rounds); round++) {
    const pairs = confidentPairs(ranking, best, tolerance, maxAnchors, rng);
    if (pairs.enc.length < d) {
      if (result) break;
      throw new Error(
        `procrustesMatch: only ${pairs.enc.length} confident row pairs, need at least d = ${d}`,
      );
    }
    const fit = procrustesRotation(E, pairs.plain, Ee, pairs.enc);
    // re-match: signatures E (Q̂ R) vs E' R
    const R = rng.fillGaussian(new Float64Array(d * k));
    const sigP = projectRows(E, matmul(fit.q, R, d, d, k), k);
    const sigE = projectRows(Ee, R, k);
    let sd = 0;
    for (let r = 0; r < V; r++) sd += sigE[r * k] * sigE[r * k];
    sd = Math.sqrt(sd / V);
    const tol = Math.max(5 * fit.relativeResidual, 1e-5) * sd;
    const m = windowMatch(sigP, sigE, { k, tolerance: tol, depth, minWindow: depth, maxWindow: 512 });
    ranking = { vocabSize: V, depth, ids: m.ids };
    best = m.best;
    tolerance = tol * Math.sqrt(k);
    result = { ranking, q: fit.q, relativeResidual: fit.relativeResidual, anchorsUsed: pairs.enc.length };
  }
  if (!result) throw new Error("procrustesMatch: no round ran");
  return result;
}

/** Encrypted rows whose nearest candidate is within tolerance and claimed by no other row (random subset of at most `max`). */
function confidentPairs(
  ranking: CandidateRanking,
  best: Float64Array,
  tolerance: number,
  max: number,
  rng: RandomSource,
): { plain: Int32Array; enc: Int32Array } {
  const claims = new Int32Array(ranking.vocabSize);
  for (let e = 0; e < ranking.vocabSize; e++) {
    const p = ranking.ids[e * ranking.depth];
    if (p >= 0 && best[e] <= tolerance) claims[p]++;
  }
  const enc: number[] = [];
  for (let e = 0; e < ranking.vocabSize; e++) {
    const p = ranking.ids[e * ranking.depth];
    if (p >= 0 && best[e] <= tolerance && claims[p] === 1) enc.push(e);
  }
  for (let i = enc.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [enc[i], enc[j]] = [enc[j], enc[i]];
  }
  const chosen = enc.slice(0, max);
  return {
    plain: Int32Array.from(chosen, (e) => ranking.ids[e * ranking.depth]),
    enc: Int32Array.from(chosen),
  };
}

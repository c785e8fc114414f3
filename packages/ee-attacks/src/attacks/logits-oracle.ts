/**
 * The logits oracle (a server-side attack on every exact scheme). The server holds the encrypted model
 * and may run it on inputs of its choosing: for every encrypted id `e` it runs `F_k` on `[BOS', e]`
 * (or `[e]`) and reads the next-token logits. Under an exact scheme those logits are the plain model's
 * logits for `[BOS, σ(e)]`, permuted by π: `logits'[π(t)] = logits[t]`. A permutation leaves the
 * multiset of values unchanged, so the SORTED logit vector of encrypted query `e` equals the sorted
 * logit vector of the plain model's query `σ(e)`, which the attacker computes from the public weights.
 * Matching the two tables of signatures (top-k sorted logits) recovers π; noise schemes blur the
 * signatures, so the match is a tolerant nearest neighbour followed by a one-to-one assignment.
 *
 * The caller runs the two models (this package runs none): it hands over one signature row per query.
 */
import { leadSpread, nearestAssignment, withMeanLead } from "../linalg/nearest-assign.js";
import { checkMatrix } from "../linalg/rows.js";
import type { CandidateRanking, OracleView } from "../types.js";

/** Logits kept per query in a signature (the largest ones, sorted descending). */
export const ORACLE_TOP_K = 16;

/**
 * Signatures of `batch` logit rows `[batch, V]`: each row's `k` largest logits, sorted descending,
 * minus the row's log-sum-exp (log-probabilities: independent of a constant shift of the logits).
 */
export function oracleSignatures(
  logits: Float32Array,
  batch: number,
  V: number,
  k = ORACLE_TOP_K,
): Float32Array {
  if (logits.length !== batch * V)
    throw new Error(`oracleSignatures: ${logits.length} logits for ${batch} rows of ${V}`);
  const kk = Math.min(k, V);
  const out = new Float32Array(batch * kk);
  const top = new Float64Array(kk);
  for (let b = 0; b < batch; b++) {
    const row = logits.subarray(b * V, (b + 1) * V);
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < V; t++) if (row[t] > max) max = row[t];
    let sum = 0;
    for (let t = 0; t < V; t++) sum += Math.exp(row[t] - max);
    const lse = max + Math.log(sum);
    top.fill(Number.NEGATIVE_INFINITY);
    for (let t = 0; t < V; t++) {
      const x = row[t];
      if (x <= top[kk - 1]) continue;
      let j = kk - 1;
      while (j > 0 && top[j - 1] < x) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = x;
    }
    for (let j = 0; j < kk; j++) out[b * kk + j] = top[j] - lse;
  }
  return out;
}

/** Result of `logitsOracleMatch`. */
export interface OracleMatchResult {
  /** Ranked plain ids per encrypted id. */
  ranking: CandidateRanking;
  /** Encrypted ids whose nearest plain signature is closer than 1e-4 nats (an exact-scheme match). */
  exactMatches: number;
  /** First guesses changed by the one-to-one assignment. */
  reassigned: number;
  /** Signature distance to the nearest plain query per encrypted id (nats). */
  best: Float64Array;
}

/** Match encrypted-query signatures to plain-query signatures. */
export function logitsOracleMatch(view: OracleView, depth = 10): OracleMatchResult {
  const P = view.plainSignatures;
  const E = view.encryptedSignatures;
  checkMatrix(P, "logitsOracleMatch: plainSignatures");
  checkMatrix(E, "logitsOracleMatch: encryptedSignatures");
  if (P.rows !== E.rows || P.cols !== E.cols)
    throw new Error(
      `logitsOracleMatch: signature tables differ (${P.rows}×${P.cols} plain vs ${E.rows}×${E.cols} encrypted)`,
    );
  const k = P.cols + 1;
  const ps = withMeanLead(Float64Array.from(P.data), P.cols);
  const es = withMeanLead(Float64Array.from(E.data), E.cols);
  // window on the mean: 1 % of its spread (noise schemes blur it by about that much), bounded
  const r = nearestAssignment(ps, es, P.rows, {
    k,
    depth,
    tolerance: 0.01 * leadSpread(ps, k),
    minWindow: 32,
    maxWindow: 1024,
  });
  let exact = 0;
  for (let e = 0; e < E.rows; e++) if (r.best[e] < 1e-4) exact++;
  return { ranking: r.ranking, exactMatches: exact, reassigned: r.reassigned, best: r.best };
}

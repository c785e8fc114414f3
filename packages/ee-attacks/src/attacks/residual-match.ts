/**
 * Hidden-state vocabulary matching beyond layer 0 (after Thomas et al., ICML 2025): the server runs the
 * encrypted model it holds on `[BOS, e]` for every encrypted id e and the public plain model on
 * `[BOS, t]` for every plain id t, and reads the residual stream after layer l at the last position.
 * Under EE the encrypted stream is the plain one in a secret orthogonal basis (h' = h Q; Q = I under
 * `vocab`), and π only relabels the queries. Matching, at one layer l:
 *
 * 1. rotation-invariant signature of each query: ‖h_l‖ and ⟨h_l, c_m⟩/‖c_m‖ for the BOS position's
 *    states c_m at every layer m (the same for all queries: position 0 sees only BOS). An encoder is
 *    queried with `[id]` alone (no BOS state to lean on): there c_m is the query's OWN state after every
 *    other layer m (the residual basis is one Q for all layers, so those inner products survive it
 *    too). Inner products survive any orthogonal Q; nearest neighbour + one-to-one assignment
 *    (`nearestAssignment`);
 * 2. the closest half of those matches become anchors of an orthogonal Procrustes fit Q̂ (plain → encrypted);
 * 3. every plain state is mapped by Q̂; an encrypted state that lies on the mapped state of its
 *    signature match (within 10⁻³ of the RMS state norm: an exact scheme) keeps it, every other one is
 *    matched to its nearest mapped plain state over all d coordinates (2·V·d multiply-adds per row);
 *    then one-to-one (greedy by distance). When the rows left to search would cost more than
 *    `SEARCH_MAX_MULTIPLY_ADDS`, they keep their signature matches (said in the result).
 * The answer is the refined one; `signatureRanking` keeps step 1's. Under heavy noise the map is fitted
 * to mostly wrong anchors and the refined answer can place fewer ids than the signatures (bert-tiny
 * `noise-10`, layer 0: 0.27 % vs 1.25 %); choosing between them by the Procrustes residual over all
 * pairs, tried, did not help (the refined pairs always fit better, being matched through the map).
 */
import { matmul4 } from "../linalg/matmul4.js";
import { leadSpread, nearestAssignment, widestLead } from "../linalg/nearest-assign.js";
import { procrustesRotation } from "../linalg/procrustes.js";
import { checkMatrix } from "../linalg/rows.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { CandidateRanking, Matrix, ResidualStatesView } from "../types.js";

/** Most multiply-adds the nearest-state search of step 3 may cost (≈ 1 min on one core). */
export const SEARCH_MAX_MULTIPLY_ADDS = 1e11;

/** Result of `residualMatch` at one layer. */
export interface ResidualMatchResult {
  /** Ranked plain ids per encrypted id (after the Procrustes refinement when it ran). */
  ranking: CandidateRanking;
  /** First guesses of the signature step alone (before the refinement). */
  signatureRanking: CandidateRanking;
  /** Anchors fed to the Procrustes fit (pairs). */
  anchors: number;
  /** ‖A Q̂ − B‖/‖B‖ over the anchors (unitless); null when the fit did not run. */
  relativeResidual: number | null;
  /** Encrypted rows step 3 searched over every mapped plain state (rows); the others kept their match. */
  searchedRows: number;
  /** Why step 3 did not search the rows its check left open; null when it did (or none were left). */
  searchSkipped: string | null;
}

/** Match the queries' residual states at `layer` (index into `view.layers`). */
export function residualMatch(view: ResidualStatesView, layer: number, depth = 10): ResidualMatchResult {
  const L = view.layers.find((x) => x.layer === layer);
  if (!L) throw new Error(`residualMatch: no states for layer ${layer}`);
  const P = L.plain;
  const E = L.encrypted;
  checkMatrix(P, `residualMatch: plain states (layer ${layer})`);
  checkMatrix(E, `residualMatch: encrypted states (layer ${layer})`);
  if (P.rows !== E.rows || P.cols !== E.cols)
    throw new Error(
      `residualMatch: layer ${layer} plain ${P.rows}×${P.cols} vs encrypted ${E.rows}×${E.cols}`,
    );
  const V = P.rows;
  if ((view.bosPlain === undefined) !== (view.bosEncrypted === undefined))
    throw new Error("residualMatch: BOS states given for one model only");
  // reference directions: the BOS states (decoders), else the query's own states at the other layers
  const plainSig = signatures(P, refs(view, layer, "plain"));
  const k = plainSig.length / V;
  const [ps, es] = widestLead(plainSig, signatures(E, refs(view, layer, "encrypted")), k);
  const sig = nearestAssignment(ps, es, V, {
    k,
    depth,
    tolerance: 0.01 * leadSpread(ps, k),
    minWindow: 32,
    maxWindow: 1024,
  });
  // anchors: the closest half of the signature matches (one-to-one already)
  const order = Int32Array.from({ length: V }, (_, i) => i).sort((a, b) => sig.best[a] - sig.best[b]);
  const take = Math.max(P.cols, Math.floor(V / 2));
  const encRows: number[] = [];
  const plainRows: number[] = [];
  const used = new Uint8Array(V);
  for (let i = 0; i < V && encRows.length < take; i++) {
    const e = order[i];
    const t = sig.ranking.ids[e * sig.ranking.depth];
    if (t < 0 || used[t]) continue;
    used[t] = 1;
    encRows.push(e);
    plainRows.push(t);
  }
  if (encRows.length < P.cols)
    return {
      ranking: sig.ranking,
      signatureRanking: sig.ranking,
      anchors: encRows.length,
      relativeResidual: null,
      searchedRows: 0,
      searchSkipped: null,
    };
  const fit = procrustesRotation(P, Int32Array.from(plainRows), E, Int32Array.from(encRows));
  const mapped = rotate(P, fit.q);
  const kept = keptMatches(mapped, E, sig.ranking);
  const open = kept.filter((t) => t < 0).length;
  const cost = 2 * open * V * P.cols;
  const skip = cost > SEARCH_MAX_MULTIPLY_ADDS;
  if (skip) for (let e = 0; e < V; e++) if (kept[e] < 0) kept[e] = sig.ranking.ids[e * sig.ranking.depth];
  return {
    ranking: nearestRows(mapped, E, depth, kept),
    signatureRanking: sig.ranking,
    anchors: encRows.length,
    relativeResidual: fit.relativeResidual,
    searchedRows: skip ? 0 : open,
    searchSkipped: skip
      ? `${open} rows not searched: ${cost.toExponential(1)} multiply-adds (cap ${SEARCH_MAX_MULTIPLY_ADDS.toExponential(0)}); their signature matches kept`
      : null,
  };
}

/** Reference directions of the signatures: shared by every query, or each query's own. */
interface References {
  /** Rows the same for every query (decoders: the BOS position's state after every layer), or null. */
  shared: Matrix | null;
  /** Matrices with one row per query (encoders: the query's state after each other layer). */
  perQuery: Matrix[];
}

/** Per row r of H: [‖h_r‖, ⟨h_r, c⟩/‖c‖ for every shared row c, then for every per-query row c_r]. */
function signatures(H: Matrix, refs: References): Float64Array {
  const d = H.cols;
  const shared = refs.shared;
  const nShared = shared ? shared.rows : 0;
  for (const m of [...(shared ? [shared] : []), ...refs.perQuery])
    if (m.cols !== d)
      throw new Error(`residualMatch: reference states have ${m.cols} features, expected ${d}`);
  for (const m of refs.perQuery)
    if (m.rows !== H.rows) throw new Error(`residualMatch: ${m.rows} reference rows for ${H.rows} queries`);
  const dotUnit = (r: number, m: Matrix, row: number): number => {
    let dot = 0;
    let nn = 0;
    for (let c = 0; c < d; c++) {
      dot += H.data[r * d + c] * m.data[row * d + c];
      nn += m.data[row * d + c] ** 2;
    }
    return dot / (Math.sqrt(nn) || 1);
  };
  const k = 1 + nShared + refs.perQuery.length;
  const out = new Float64Array(H.rows * k);
  for (let r = 0; r < H.rows; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += H.data[r * d + c] ** 2;
    out[r * k] = Math.sqrt(s);
    for (let m = 0; m < nShared; m++) out[r * k + 1 + m] = dotUnit(r, shared as Matrix, m);
    refs.perQuery.forEach((m, j) => {
      out[r * k + 1 + nShared + j] = dotUnit(r, m, r);
    });
  }
  return out;
}

/** The BOS states when the view has them, else the query's own states after every other layer. */
function refs(view: ResidualStatesView, layer: number, side: "plain" | "encrypted"): References {
  const bos = side === "plain" ? view.bosPlain : view.bosEncrypted;
  if (bos) return { shared: bos, perQuery: [] };
  return { shared: null, perQuery: view.layers.filter((x) => x.layer !== layer).map((x) => x[side]) };
}

/**
 * Per encrypted row: its signature match when the mapped plain state lies on it (squared distance
 * ≤ (10⁻³ · RMS row norm)²), else -1 (left for the search).
 */
function keptMatches(mapped: Matrix, E: Matrix, sig: CandidateRanking): Int32Array {
  let sq = 0;
  for (let i = 0; i < E.data.length; i++) sq += E.data[i] ** 2;
  const tol2 = 1e-6 * (sq / E.rows);
  const kept = new Int32Array(E.rows).fill(-1);
  for (let e = 0; e < E.rows; e++) {
    const t = sig.ids[e * sig.depth];
    if (t >= 0 && rowDist2(E, e, mapped, t) <= tol2) kept[e] = t;
  }
  return kept;
}

/** Squared Euclidean distance between row a of A and row b of B (same width). */
function rowDist2(A: Matrix, a: number, B: Matrix, b: number): number {
  const d = A.cols;
  let s = 0;
  for (let c = 0; c < d; c++) s += (A.data[a * d + c] - B.data[b * d + c]) ** 2;
  return s;
}

/** `H Q̂` (rows of H mapped into the encrypted basis). */
function rotate(H: Matrix, q: Float64Array): Matrix {
  const d = H.cols;
  return { rows: H.rows, cols: d, data: matmul4(H.data, q, H.rows, d, d, new Float32Array(H.rows * d)) };
}

/**
 * Nearest mapped plain row per encrypted row (squared Euclidean; a row with `kept[e] ≥ 0` keeps that one
 * candidate unsearched), then a greedy one-to-one assignment.
 */
function nearestRows(P: Matrix, E: Matrix, depth: number, kept: Int32Array): CandidateRanking {
  const V = E.rows;
  const d = E.cols;
  const cand = new Int32Array(V * depth).fill(-1);
  const dist = new Float64Array(V * depth).fill(Number.POSITIVE_INFINITY);
  for (let e = 0; e < V; e++) {
    if (kept[e] >= 0) {
      cand[e * depth] = kept[e];
      dist[e * depth] = rowDist2(E, e, P, kept[e]);
      continue;
    }
    for (let t = 0; t < P.rows; t++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (E.data[e * d + c] - P.data[t * d + c]) ** 2;
      if (s >= dist[e * depth + depth - 1]) continue;
      let j = depth - 1;
      while (j > 0 && dist[e * depth + j - 1] > s) {
        dist[e * depth + j] = dist[e * depth + j - 1];
        cand[e * depth + j] = cand[e * depth + j - 1];
        j--;
      }
      dist[e * depth + j] = s;
      cand[e * depth + j] = t;
    }
  }
  // one-to-one: (encrypted, candidate) pairs by ascending distance; a taken plain row is skipped
  const pairs = Int32Array.from({ length: V * depth }, (_, i) => i)
    .filter((i) => cand[i] >= 0)
    .sort((a, b) => dist[a] - dist[b]);
  const first = new Int32Array(V).fill(-1);
  const taken = new Uint8Array(P.rows);
  for (const i of pairs) {
    const e = Math.floor(i / depth);
    if (first[e] >= 0 || taken[cand[i]]) continue;
    first[e] = cand[i];
    taken[cand[i]] = 1;
  }
  const ranking = emptyRanking(V, depth);
  for (let e = 0; e < V; e++) {
    pushCandidate(ranking, e, first[e] >= 0 ? first[e] : cand[e * depth]);
    for (let j = 0; j < depth; j++)
      if (cand[e * depth + j] >= 0) pushCandidate(ranking, e, cand[e * depth + j]);
  }
  return ranking;
}

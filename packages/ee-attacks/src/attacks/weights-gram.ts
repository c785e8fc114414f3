/**
 * Public-weights attack under a hidden ORTHOGONAL basis (`full` on Llama: E' = Π E Q; a permutation
 * basis is a special case). Inner products survive any orthogonal Q, so:
 *
 * 1. per-row invariants: ‖e_t‖ — and with an untied LM head also ‖w_t‖ and ⟨e_t, w_t⟩ (row t of the
 *    head is rotated by the same Q and moved by the same π). Rows whose invariant signature has a
 *    unique nearest plain row become seed pairs;
 * 2. Gram check: two correct pairs (e'_i ↔ e_i), (e'_j ↔ e_j) satisfy ⟨e'_i, e'_j⟩ = ⟨e_i, e_j⟩.
 *    A greedy clique of mutually consistent seeds is kept as anchors;
 * 3. anchor signatures: every row's inner products with k anchors (and its norm) are invariant;
 *    nearest signatures (window search) rank the candidates for every encrypted row.
 *
 * Synthetic Gaussian tables make step 1 easy (continuous, well-spread norms); real embeddings have
 * clusters and duplicates, so report which weights were used.
 */
import { checkMatrix, projectRows, rowNorms, rowsAsColumns, rowwiseDots } from "../linalg/rows.js";
import { windowMatch } from "../linalg/window-match.js";
import type { AnchorPairs, GramMatchOptions, GramMatchResult, Matrix, WeightsView } from "../types.js";

/** Default settings. */
export const DEFAULT_GRAM_MATCH: GramMatchOptions = {
  relTolerance: 1e-5,
  seedCandidates: 96,
  anchorsUsed: 24,
};

/** Rank plain rows for every encrypted row using rotation invariants. */
export function gramAnchorMatch(
  w: WeightsView,
  opts: GramMatchOptions = DEFAULT_GRAM_MATCH,
  depth = 10,
): GramMatchResult {
  const E = w.plainEmbedding;
  const Ee = w.encryptedEmbedding;
  checkMatrix(E, "gramAnchorMatch: plainEmbedding");
  checkMatrix(Ee, "gramAnchorMatch: encryptedEmbedding");
  if (E.rows !== Ee.rows || E.cols !== Ee.cols)
    throw new Error(
      `gramAnchorMatch: embeddings differ in shape (${E.rows}×${E.cols} vs ${Ee.rows}×${Ee.cols})`,
    );
  const head = w.plainLmHead && w.encryptedLmHead ? { W: w.plainLmHead, We: w.encryptedLmHead } : null;
  if (head) {
    checkMatrix(head.W, "gramAnchorMatch: plainLmHead");
    checkMatrix(head.We, "gramAnchorMatch: encryptedLmHead");
    if (
      head.W.rows !== E.rows ||
      head.We.rows !== E.rows ||
      head.W.cols !== E.cols ||
      head.We.cols !== E.cols
    )
      throw new Error("gramAnchorMatch: LM heads must have the embedding's shape (one row per token)");
  }
  const V = E.rows;
  const tol = opts.relTolerance;

  // 1. per-row invariants, scaled to O(1)
  const nE = rowNorms(E);
  const nEe = rowNorms(Ee);
  const sE = maxOf(nE);
  const inv: { p: Float64Array[]; e: Float64Array[] } = { p: [scale(nE, sE)], e: [scale(nEe, sE)] };
  let sW = 1;
  if (head) {
    const nW = rowNorms(head.W);
    sW = maxOf(nW);
    inv.p.push(scale(nW, sW), scale(rowwiseDots(E, head.W), sE * sW));
    inv.e.push(scale(rowNorms(head.We), sW), scale(rowwiseDots(Ee, head.We), sE * sW));
  }
  const k1 = inv.p.length;
  const step1 = windowMatch(interleave(inv.p), interleave(inv.e), {
    k: k1,
    tolerance: tol,
    depth: 1,
    minWindow: 1,
  });
  const seeds: number[] = [];
  for (let e = 0; e < V; e++) if (step1.best[e] <= tol && step1.second[e] > 20 * tol) seeds.push(e);
  seeds.sort((a, b) => step1.second[b] - step1.second[a]);
  const cand = seeds.slice(0, opts.seedCandidates);

  // 2. greedy clique of Gram-consistent seeds
  const consistent = (a: number, b: number): boolean => {
    const pa = step1.ids[a];
    const pb = step1.ids[b];
    if (pa === pb) return false;
    if (Math.abs(dot(Ee, a, Ee, b) - dot(E, pa, E, pb)) > 10 * tol * nEe[a] * nEe[b]) return false;
    if (head && Math.abs(dot(head.We, a, head.We, b) - dot(head.W, pa, head.W, pb)) > 10 * tol * sW * sW)
      return false;
    return true;
  };
  let clique: number[] = [];
  for (let s = 0; s < Math.min(5, cand.length); s++) {
    const c = [cand[s]];
    for (const x of cand) if (x !== cand[s] && c.every((y) => consistent(x, y))) c.push(x);
    if (c.length > clique.length) clique = c;
  }
  const anchors: AnchorPairs = {
    plain: Int32Array.from(clique, (e) => step1.ids[e]),
    encrypted: Int32Array.from(clique),
  };
  if (clique.length < 2) {
    return {
      ranking: { vocabSize: V, depth, ids: new Int32Array(V * depth).fill(-1) },
      anchors,
      best: step1.best,
      second: step1.second,
      tolerance: tol,
      seeds: seeds.length,
    };
  }

  // 3. anchor inner-product signatures [⟨x, a_1⟩ … ⟨x, a_k⟩, ‖x‖] (+ the same for the LM head)
  const k = Math.min(opts.anchorsUsed, clique.length);
  const pa = anchors.plain.subarray(0, k);
  const ea = anchors.encrypted.subarray(0, k);
  const parts = {
    p: [scale(projectRows(E, rowsAsColumns(E, pa), k), sE * sE), scale(nE, sE)],
    e: [scale(projectRows(Ee, rowsAsColumns(Ee, ea), k), sE * sE), scale(nEe, sE)],
    widths: [k, 1],
  };
  if (head) {
    parts.p.push(scale(projectRows(head.W, rowsAsColumns(head.W, pa), k), sW * sW));
    parts.e.push(scale(projectRows(head.We, rowsAsColumns(head.We, ea), k), sW * sW));
    parts.widths.push(k);
  }
  const kk = parts.widths.reduce((a, b) => a + b, 0);
  const sigP = concatColumns(parts.p, parts.widths, V);
  const sigE = concatColumns(parts.e, parts.widths, V);
  const tolSig = 10 * tol * Math.sqrt(kk);
  const m = windowMatch(sigP, sigE, { k: kk, tolerance: 10 * tol, depth, minWindow: depth });
  return {
    ranking: { vocabSize: V, depth, ids: m.ids },
    anchors,
    best: m.best,
    second: m.second,
    tolerance: tolSig,
    seeds: seeds.length,
  };
}

function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m > 0 ? m : 1;
}

function scale(a: Float64Array, s: number): Float64Array {
  return a.map((x) => x / s);
}

/** `parts[j][r]` → row-major `rows × parts.length`. */
function interleave(parts: Float64Array[]): Float64Array {
  const rows = parts[0].length;
  const k = parts.length;
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) out[r * k + j] = parts[j][r];
  return out;
}

/** Side-by-side concatenation of row-major blocks of the given widths. */
function concatColumns(blocks: Float64Array[], widths: number[], rows: number): Float64Array {
  const k = widths.reduce((a, b) => a + b, 0);
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    let o = r * k;
    blocks.forEach((b, j) => {
      for (let c = 0; c < widths[j]; c++) out[o + c] = b[r * widths[j] + c];
      o += widths[j];
    });
  }
  return out;
}

function dot(a: Matrix, ra: number, b: Matrix, rb: number): number {
  let s = 0;
  const d = a.cols;
  for (let c = 0; c < d; c++) s += a.data[ra * d + c] * b.data[rb * d + c];
  return s;
}

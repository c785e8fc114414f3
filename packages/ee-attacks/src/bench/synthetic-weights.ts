/**
 * Synthetic weights of the real shapes and the schemes' transforms applied to them (bench only;
 * real encrypted folders can replace this later):
 *
 * - plain: word embedding E (V × d) ~ N(0, 0.02²) (the models' init std); Llama also an untied LM
 *   head W (V × d, one row per token); BERT also position + token-type rows (public);
 * - vocab: E' = Π E (rows moved by π), W' = Π W; hidden basis unchanged;
 * - full, BERT: E' = Π E P (hidden permutation P of the columns, DESIGN §4.2; the tied head is E');
 * - full, Llama: E' = Π E Q, W' = Π W Q (Haar Q from ee-core; the head read as `Qᵀ W_lm` in d × V
 *   layout is `W Q` row-wise).
 *
 * Layer-0 activations the server sees, per token of the held-out prompts:
 * - BERT: LayerNorm(E[t] + pos[i] + type[0]) (γ = 1, β = 0), times P under full;
 * - Llama: the residual stream entering block 0, E[t] (times Q under full).
 */
import {
  haarOrthogonal,
  type Permutation,
  permuteCols,
  permuteRows,
  type RandomSource,
  randomPermutation,
} from "ee-core";
import { matmul4 } from "../linalg/matmul4.js";
import type { HiddenStateView, Matrix, WeightsView } from "../types.js";

/** Init std of the synthetic tables (BERT and Llama both initialise with 0.02). */
const INIT_STD = 0.02;

/** Plain public tables of one model. */
export interface PlainTables {
  /** Architecture. */
  architecture: "bert" | "llama";
  /** Word embedding, `V × d`. */
  embedding: Matrix;
  /** Untied LM head (Llama), `V × d`. */
  lmHead?: Matrix;
  /** Position embedding rows (BERT), `maxPositions × d`. */
  positions?: Matrix;
  /** Token-type row 0 (BERT), `1 × d`. */
  tokenType?: Matrix;
}

/** Draw the plain tables. */
export function plainTables(
  architecture: "bert" | "llama",
  rows: number,
  d: number,
  rng: RandomSource,
): PlainTables {
  const g = (r: number, label: string): Matrix => ({
    rows: r,
    cols: d,
    data: rng.derive(label).fillGaussian(new Float32Array(r * d), INIT_STD),
  });
  if (architecture === "bert")
    return {
      architecture,
      embedding: g(rows, "embedding"),
      positions: g(512, "positions"),
      tokenType: g(1, "token-type"),
    };
  return { architecture, embedding: g(rows, "embedding"), lmHead: g(rows, "lm-head") };
}

/** The attacker's view of one encrypted model. */
export interface EncryptedView {
  /** Plain + encrypted tables. */
  weights: WeightsView;
  /** Layer-0 activations of `tokenRows` in the server's basis. */
  hidden: HiddenStateView;
  /** Time to build the encrypted tables (ms). */
  buildMs: number;
}

/** Apply `scheme` with row permutation `pi` and compute the activations of `tokenRows` at `positions`. */
export function encryptTables(
  plain: PlainTables,
  scheme: "vocab" | "full",
  pi: Permutation,
  tokenRows: Int32Array,
  positions: Int32Array,
  corpus: string,
  rng: RandomSource,
): EncryptedView {
  const t0 = performance.now();
  const E = plain.embedding;
  const d = E.cols;
  const V = E.rows;
  const moveRows = (m: Matrix): Matrix => ({ rows: V, cols: d, data: permuteRows(m.data, V, d, pi) });
  // basis change of a row-major table: identity, column permutation, or rotation
  let basis: (m: Matrix) => Matrix = (m) => m;
  if (scheme === "full" && plain.architecture === "bert") {
    const P = randomPermutation(d, rng.derive("hidden-permutation"));
    basis = (m) => ({ rows: m.rows, cols: d, data: permuteCols(m.data, m.rows, d, P) });
  } else if (scheme === "full") {
    const Q = haarOrthogonal(d, rng.derive("hidden-rotation"));
    basis = (m) => ({
      rows: m.rows,
      cols: d,
      data: matmul4(m.data, Q, m.rows, d, d, new Float32Array(m.rows * d)),
    });
  }
  const weights: WeightsView = { plainEmbedding: E, encryptedEmbedding: moveRows(basis(E)) };
  if (plain.lmHead) {
    weights.plainLmHead = plain.lmHead;
    weights.encryptedLmHead = moveRows(basis(plain.lmHead));
  }
  // layer-0 activations, plain basis, then the server's basis
  const n = tokenRows.length;
  const acts: Matrix = { rows: n, cols: d, data: new Float32Array(n * d) };
  let offsets: Matrix | undefined;
  if (plain.positions && plain.tokenType) {
    offsets = { rows: n, cols: d, data: new Float32Array(n * d) };
    for (let i = 0; i < n; i++) {
      const p = positions[i];
      if (p < 0 || p >= plain.positions.rows)
        throw new Error(`encryptTables: position ${p} outside [0, ${plain.positions.rows})`);
      for (let c = 0; c < d; c++)
        offsets.data[i * d + c] = plain.positions.data[p * d + c] + plain.tokenType.data[c];
    }
  }
  for (let i = 0; i < n; i++) {
    const row = acts.data.subarray(i * d, (i + 1) * d);
    for (let c = 0; c < d; c++)
      row[c] = E.data[tokenRows[i] * d + c] + (offsets ? offsets.data[i * d + c] : 0);
    if (offsets) layerNormInPlace(row);
  }
  const hidden: HiddenStateView = {
    corpus,
    activations: basis(acts),
    offsets,
    centered: Boolean(offsets),
    trueTokenIds: tokenRows,
  };
  return { weights, hidden, buildMs: performance.now() - t0 };
}

/** LayerNorm without affine terms (ε = 1e-12, BERT's). */
function layerNormInPlace(x: Float32Array): void {
  let m = 0;
  for (let c = 0; c < x.length; c++) m += x[c];
  m /= x.length;
  let v = 0;
  for (let c = 0; c < x.length; c++) v += (x[c] - m) ** 2;
  const s = Math.sqrt(v / x.length + 1e-12);
  for (let c = 0; c < x.length; c++) x[c] = (x[c] - m) / s;
}

/**
 * Next-token choice from one row of logits: greedy, or temperature / top-k / top-p sampling with a
 * seeded random source.
 *
 * Every rule looks at logit VALUES only, never at token ids (candidates are ordered by logit, ties
 * by position), so sampling commutes with a permutation of the vocabulary: with the same random
 * stream, sampling permuted logits picks the permuted token. That is what lets an EE server sample on
 * encrypted logits and return encrypted ids (docs/design.md §4.1).
 */
import type { RandomSource } from "ee-core";

/** How the next token is chosen. */
export interface SamplingOptions {
  /** Softmax temperature (dimensionless); 0 (default) = greedy argmax. */
  temperature?: number;
  /** Keep only the k most likely tokens (tokens); 0 or absent = all. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (probability); 1 or absent = all. */
  topP?: number;
}

/** One chosen token. */
export interface SampledToken {
  /** The chosen token (token id, in whatever id space the logits are in). */
  tokenId: number;
  /** Its probability under the plain softmax of the logits, temperature 1, no filtering (probability). */
  prob: number;
}

/** Candidates whose logit is this far below the maximum (after temperature) have probability < e⁻⁴⁰ and are dropped. */
const NEGLIGIBLE_LOGIT_GAP = 40;

/** Validates sampling options; errors name the field. */
export function checkSamplingOptions(o: SamplingOptions): void {
  const t = o.temperature ?? 0;
  if (!Number.isFinite(t) || t < 0)
    throw new Error(`sampling: temperature must be a finite number >= 0, got ${t}`);
  const k = o.topK ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new Error(`sampling: topK must be an integer >= 0, got ${k}`);
  const p = o.topP ?? 1;
  if (!Number.isFinite(p) || p <= 0 || p > 1) throw new Error(`sampling: topP must be in (0, 1], got ${p}`);
}

/** Index of the largest value (the first one on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Softmax probability (temperature 1) of entry `index` of `row`. */
export function softmaxProb(row: ArrayLike<number>, index: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return Math.exp(row[index] - max) / sum;
}

/** Choose the next token from one row of logits `[V]`. `rng` is needed unless greedy. */
export function sampleToken(row: ArrayLike<number>, opts: SamplingOptions, rng?: RandomSource): SampledToken {
  const t = opts.temperature ?? 0;
  if (t === 0) {
    const tokenId = argmax(row);
    return { tokenId, prob: softmaxProb(row, tokenId) };
  }
  if (!rng) throw new Error("sampling: temperature > 0 needs a random source (seed)");
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  // candidates in decreasing logit order (value order only: permutation-equivariant)
  const floor = max - NEGLIGIBLE_LOGIT_GAP * t;
  const cand: number[] = [];
  for (let i = 0; i < row.length; i++) if (row[i] >= floor) cand.push(i);
  cand.sort((a, b) => row[b] - row[a] || a - b);
  const k = opts.topK && opts.topK > 0 ? Math.min(opts.topK, cand.length) : cand.length;
  const w = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    w[i] = Math.exp((row[cand[i]] - max) / t);
    sum += w[i];
  }
  // top-p: smallest prefix whose probability reaches p
  const p = opts.topP ?? 1;
  let n = k;
  if (p < 1) {
    let acc = 0;
    for (let i = 0; i < k; i++) {
      acc += w[i] / sum;
      if (acc >= p) {
        n = i + 1;
        break;
      }
    }
    sum = 0;
    for (let i = 0; i < n; i++) sum += w[i];
  }
  const u = rng.float() * sum;
  let acc = 0;
  let chosen = cand[n - 1];
  for (let i = 0; i < n; i++) {
    acc += w[i];
    if (u < acc) {
      chosen = cand[i];
      break;
    }
  }
  return { tokenId: chosen, prob: softmaxProb(row, chosen) };
}

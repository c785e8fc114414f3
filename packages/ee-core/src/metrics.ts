/**
 * Output-agreement metrics between encrypted (EE) and plain (VI) inference: softmax confidence,
 * fidelity exactly as the paper's Eq. 4, argmax agreement, largest absolute difference.
 */
import type { Confidence } from "./types.js";

/** Numerically stable softmax (the max is subtracted first); returns float64 probabilities. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const n = logits.length;
  if (n === 0) throw new Error("softmax: logits are empty");
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY)
      throw new Error(`softmax: logit at position ${i} is NaN or +Infinity`);
    if (v > max) max = v;
  }
  if (max === Number.NEGATIVE_INFINITY) throw new Error("softmax: every logit is -Infinity");
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Largest softmax probability and its index (first on ties). */
export function confidence(logits: ArrayLike<number>): Confidence {
  const p = softmax(logits);
  let argmax = 0;
  for (let i = 1; i < p.length; i++) if (logits[i] > logits[argmax]) argmax = i;
  return { maxProb: p[argmax], argmax };
}

/**
 * Fidelity, the paper's Eq. 4: `1 − (1/N) Σ_i |sEE_i − sVI_i| / max(sEE_i, sVI_i)`, where `s` are
 * confidences (probabilities ≥ 0). A term with both confidences 0 counts as 0 (identical).
 * Returns a fraction in [0, 1] (multiply by 100 for the paper's %).
 */
export function fidelity(sEE: ArrayLike<number>, sVI: ArrayLike<number>): number {
  if (sEE.length !== sVI.length)
    throw new Error(`fidelity: sEE has ${sEE.length} values, sVI has ${sVI.length}`);
  if (sEE.length === 0) throw new Error("fidelity: no values");
  let sum = 0;
  for (let i = 0; i < sEE.length; i++) {
    const a = sEE[i];
    const b = sVI[i];
    if (!(Number.isFinite(a) && a >= 0))
      throw new Error(`fidelity: sEE at position ${i} is not a finite value >= 0`);
    if (!(Number.isFinite(b) && b >= 0))
      throw new Error(`fidelity: sVI at position ${i} is not a finite value >= 0`);
    const m = Math.max(a, b);
    if (m > 0) sum += Math.abs(a - b) / m;
  }
  return 1 - sum / sEE.length;
}

/** Fraction (in [0, 1]) of positions where the predicted classes/tokens agree. */
export function argmaxAgreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`argmaxAgreement: a has ${a.length} values, b has ${b.length}`);
  if (a.length === 0) throw new Error("argmaxAgreement: no values");
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** `max_i |a_i − b_i|` (NaN if any difference is NaN; 0 for empty input). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: a has ${a.length} values, b has ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

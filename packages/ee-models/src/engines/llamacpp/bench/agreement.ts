/**
 * How close two first-step distributions and two greedy continuations are: the paper's fidelity
 * (Eq. 4, on the confidence of the first generated token), top-1 agreement, the largest change of a
 * log-probability, the KL divergence from a reference, and the share of equal greedy tokens.
 */

/** log-softmax of a logit vector (float64 accumulation). */
export function logSoftmax(x: Float32Array): Float64Array {
  let mx = Number.NEGATIVE_INFINITY;
  for (const v of x) mx = Math.max(mx, v);
  let z = 0;
  for (const v of x) z += Math.exp(v - mx);
  const lz = mx + Math.log(z);
  return Float64Array.from(x, (v) => v - lz);
}

/** Agreement of one pair of generations. */
export interface PairAgreement {
  /** `1 − |s_a − s_b| / max(s_a, s_b)`, s = probability of each side's top token (fraction). */
  readonly fidelity: number;
  /** Same top-1 token at the first step (flag). */
  readonly top1Same: boolean;
  /** max_t |log p_a(t) − log p_b(t)| (nats). */
  readonly maxLogpDiff: number;
  /** KL(a ‖ b) at the first step, `a` the reference (nats). */
  readonly kl: number;
  /** Positions with equal greedy tokens / positions (fraction). */
  readonly tokenAgreement: number;
}

function argmax(x: Float64Array): number {
  let b = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[b]) b = i;
  return b;
}

/** Agreement of `b` with the reference `a`. */
export function agreement(
  a: { firstLogits: Float32Array; tokens: readonly number[] },
  b: { firstLogits: Float32Array; tokens: readonly number[] },
): PairAgreement {
  const la = logSoftmax(a.firstLogits);
  const lb = logSoftmax(b.firstLogits);
  let maxd = 0;
  let kl = 0;
  for (let i = 0; i < la.length; i++) {
    maxd = Math.max(maxd, Math.abs(la[i] - lb[i]));
    const pa = Math.exp(la[i]);
    if (pa > 0) kl += pa * (la[i] - lb[i]);
  }
  const ia = argmax(la);
  const ib = argmax(lb);
  const sa = Math.exp(la[ia]);
  const sb = Math.exp(lb[ib]);
  const n = Math.min(a.tokens.length, b.tokens.length);
  let same = 0;
  for (let i = 0; i < n; i++) if (a.tokens[i] === b.tokens[i]) same++;
  return {
    fidelity: 1 - Math.abs(sa - sb) / Math.max(sa, sb),
    top1Same: ia === ib,
    maxLogpDiff: maxd,
    kl,
    tokenAgreement: n === 0 ? 1 : same / n,
  };
}

/** Mean agreement over pairs (maxLogpDiff: the largest). */
export interface MeanAgreement {
  /** Mean paper fidelity (fraction). */
  readonly fidelity: number;
  /** Share of pairs with the same first token (fraction). */
  readonly top1: number;
  /** Largest |Δ log p| over all pairs (nats). */
  readonly maxLogpDiff: number;
  /** Mean first-step KL divergence (nats). */
  readonly kl: number;
  /** Mean share of equal greedy tokens (fraction). */
  readonly tokenAgreement: number;
}

/** Average `pairs`. */
export function meanAgreement(pairs: readonly PairAgreement[]): MeanAgreement {
  const n = pairs.length;
  const mean = (f: (p: PairAgreement) => number) => pairs.reduce((s, p) => s + f(p), 0) / n;
  return {
    fidelity: mean((p) => p.fidelity),
    top1: mean((p) => (p.top1Same ? 1 : 0)),
    maxLogpDiff: pairs.reduce((m, p) => Math.max(m, p.maxLogpDiff), 0),
    kl: mean((p) => p.kl),
    tokenAgreement: mean((p) => p.tokenAgreement),
  };
}

/**
 * Descriptive statistics, the Student-t distribution (via the regularized incomplete beta function,
 * no tables), ΔT summaries and two-sample comparisons.
 */
import type { DeltaTSummary, MannWhitneyResult, TInterval, WelchResult } from "./types.js";

function checkSample(xs: ArrayLike<number>, fn: string, min = 1): void {
  if (xs.length < min) throw new Error(`${fn}: need at least ${min} value(s), got ${xs.length}`);
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) throw new Error(`${fn}: value at position ${i} is not finite`);
  }
}

/** Arithmetic mean. */
export function mean(xs: ArrayLike<number>): number {
  checkSample(xs, "mean");
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation with the n − 1 denominator (two-pass). */
export function sd(xs: ArrayLike<number>): number {
  checkSample(xs, "sd", 2);
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

/**
 * The p-th percentile, p in [0, 100], by linear interpolation between order statistics
 * (Hyndman–Fan type 7, numpy's default): h = (n − 1)·p/100, x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)
 * on the sorted values (0-based).
 */
export function percentile(xs: ArrayLike<number>, p: number): number {
  checkSample(xs, "percentile");
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be in [0, 100], got ${p}`);
  const s = Float64Array.from(xs).sort();
  const h = ((s.length - 1) * p) / 100;
  const lo = Math.floor(h);
  if (lo >= s.length - 1) return s[s.length - 1];
  return s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
}

/** Median (the 50th percentile; mean of the two middle values for even n). */
export function median(xs: ArrayLike<number>): number {
  return percentile(xs, 50);
}

/**
 * Median absolute deviation from the median, unscaled (multiply by 1.4826 to estimate σ of normal data).
 */
export function mad(xs: ArrayLike<number>): number {
  const m = median(xs);
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) dev[i] = Math.abs(xs[i] - m);
  return median(dev);
}

/** Lanczos coefficients (g = 7, n = 9). */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, ~15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error(`logGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const TINY = 1e-300;
const EPS = 1e-15;

/** Continued fraction of the incomplete beta (modified Lentz), valid for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    // even step
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // odd step
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  throw new Error(`incompleteBeta: continued fraction did not converge (a=${a}, b=${b}, x=${x})`);
}

/** Regularized incomplete beta I_x(a, b) for a, b > 0 and x in [0, 1]. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new Error(`incompleteBeta: a and b must be > 0, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1)) throw new Error(`incompleteBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` > 0 degrees of freedom: P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`studentTCdf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) throw new Error("studentTCdf: t is NaN");
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5); // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

/** Upper-tail probability P(T > t) without cancellation for large t. */
function studentTSf(t: number, df: number): number {
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? tail : 1 - tail;
}

/** Quantile of Student's t: the t with P(T ≤ t) = p, for p in (0, 1) (bracketing then bisection). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`studentTQuantile: df must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const q = 1 - p; // find t > 0 with P(T > t) = q
  let lo = 0;
  let hi = 1;
  while (studentTSf(hi, df) > q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Number.POSITIVE_INFINITY;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTSf(mid, df) > q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Student-t 95 % confidence interval for the mean of `xs` (n ≥ 2). */
export function tInterval95(xs: ArrayLike<number>): TInterval {
  checkSample(xs, "tInterval95", 2);
  const m = mean(xs);
  const df = xs.length - 1;
  const halfWidth = (studentTQuantile(0.975, df) * sd(xs)) / Math.sqrt(xs.length);
  return { mean: m, low: m - halfWidth, high: m + halfWidth, halfWidth, df };
}

/** ΔT in percent: (EE − VI) / VI × 100 (both times in seconds, VI > 0). */
export function deltaTPct(eeSec: number, viSec: number): number {
  if (!(Number.isFinite(viSec) && viSec > 0))
    throw new Error(`deltaTPct: viSec must be finite and > 0, got ${viSec}`);
  if (!(Number.isFinite(eeSec) && eeSec >= 0))
    throw new Error(`deltaTPct: eeSec must be finite and >= 0, got ${eeSec}`);
  return ((eeSec - viSec) / viSec) * 100;
}

/** Mean, sd (n − 1) and Student-t 95 % interval of per-repetition ΔT values (percent; n ≥ 2). */
export function deltaTSummary(perRepDeltaPct: ArrayLike<number>): DeltaTSummary {
  checkSample(perRepDeltaPct, "deltaTSummary", 2);
  const ci95 = tInterval95(perRepDeltaPct);
  return { mean: ci95.mean, sd: sd(perRepDeltaPct), ci95, n: perRepDeltaPct.length };
}

/** Welch's two-sample t-test, two-sided (each sample n ≥ 2). */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  checkSample(a, "welchTTest: a", 2);
  checkSample(b, "welchTTest: b", 2);
  const va = sd(a) ** 2 / a.length;
  const vb = sd(b) ** 2 / b.length;
  const diff = mean(a) - mean(b);
  const se2 = va + vb;
  if (se2 === 0) {
    // both samples constant: the difference is certain
    return diff === 0
      ? { t: 0, df: a.length + b.length - 2, pValue: 1 }
      : {
          t: diff > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
          df: a.length + b.length - 2,
          pValue: 0,
        };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const pValue = Math.min(1, 2 * studentTSf(Math.abs(t), df));
  return { t, df, pValue };
}

/** Regularized lower incomplete gamma P(a, x) (series for x < a + 1, else continued fraction). */
function incompleteGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return sum * Math.exp(lnFront);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return 1 - Math.exp(lnFront) * h;
}

/** Two-sided normal tail 2·P(Z > |z|) = erfc(|z|/√2) = 1 − P(½, z²/2). */
function normalTwoSided(z: number): number {
  if (!Number.isFinite(z)) return 0;
  return 1 - incompleteGammaP(0.5, (z * z) / 2);
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new Error("normalCdf: z is NaN");
  const half = 0.5 * normalTwoSided(z);
  return z >= 0 ? 1 - half : half;
}

/**
 * Mann–Whitney U test, two-sided, normal approximation: average ranks for ties,
 * σ² = n_a n_b / 12 · ((n + 1) − Σ(t³ − t) / (n(n − 1))), continuity correction ½ toward the mean
 * (as scipy's default), p = 2·P(Z > |z|). All values tied gives z = 0, p = 1.
 */
export function mannWhitneyU(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitneyResult {
  checkSample(a, "mannWhitneyU: a");
  checkSample(b, "mannWhitneyU: b");
  const na = a.length;
  const nb = b.length;
  const n = na + nb;
  const all: { v: number; fromA: boolean }[] = [];
  for (let i = 0; i < na; i++) all.push({ v: a[i], fromA: true });
  for (let i = 0; i < nb; i++) all.push({ v: b[i], fromA: false });
  all.sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1].v === all[i].v) j++;
    const t = j - i + 1;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k].fromA) rankSumA += avgRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (na * (na + 1)) / 2;
  const mu = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, pValue: 1 };
  const dev = u - mu;
  const z = (Math.sign(dev) * Math.max(0, Math.abs(dev) - 0.5)) / Math.sqrt(variance);
  const pValue = Math.min(1, normalTwoSided(z));
  return { u, z, pValue };
}

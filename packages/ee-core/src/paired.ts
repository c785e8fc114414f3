/**
 * ΔT from interleaved pairs (docs/design.md §13). Each pair runs VI and EE back to back on the same input
 * (ABBA order), so its log ratio r = ln(EE/VI) is free of input length and of slow drift.
 *
 * Estimator, per repetition j (one pass over the sample set):
 *   m_j = ½ · (mean r over the pairs of j that ran VI first + mean r over those that ran EE first)
 * — the pair order as a covariate: when the first call of a pair is slower (load, caches), the two
 * order groups are shifted by ±the order effect; averaging the two group means cancels it exactly,
 * and leaves it out of the spread (a repetition with only one order group uses its plain mean).
 * Then m̄ = mean_j m_j, and the 95 % interval is the Student-t interval over the R values m_j
 * (df = R − 1): ΔT = e^m̄ − 1, [e^(m̄ − h) − 1, e^(m̄ + h) − 1], h = t_{0.975,R−1}·sd(m_j)/√R.
 *
 * Why a t-interval over per-repetition means rather than a bootstrap over repetitions: pairs of one
 * repetition are not independent (a repetition shares a stretch of machine state), so the repetition
 * is the unit of replication; with the few repetitions a suite affords (3–12), a bootstrap over R
 * units undercovers (its percentile interval ignores the t-distribution's tails; simulated with normal
 * m_j it covered 77 % at R = 3, 85 % at R = 5, 90 % at R = 10),
 * while each m_j averages tens of pairs and is close to normal, which is what the t-interval needs.
 * The interval therefore contains between-repetition drift as well as pair noise.
 *
 * The median-based estimate replaces each group mean by the group median (robust to a few stalls),
 * with the same t-interval over its per-repetition values. The minimum detectable effect is the true
 * ΔT that a two-sided 5 % test would detect with 80 % power: (t_{0.975,df} + t_{0.80,df}) · SE.
 */
import { mean, median, sd, studentTQuantile } from "./stats.js";
import type { PairedDeltaT, PairedObservation } from "./types.js";

/** e^x − 1 in percent. */
const pct = (logRatio: number) => Math.expm1(logRatio) * 100;

function checkObservation(o: PairedObservation, i: number): void {
  if (!Number.isInteger(o.rep) || o.rep < 0)
    throw new Error(`pairedDeltaT: pair ${i}: rep must be an integer ≥ 0, got ${o.rep}`);
  for (const [name, v] of [
    ["viMs", o.viMs],
    ["eeMs", o.eeMs],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0))
      throw new Error(`pairedDeltaT: pair ${i}: ${name} must be > 0, got ${v}`);
  }
}

/** Order-balanced centre of one repetition's log ratios, by `centre` (mean or median) per order group. */
function repCentre(
  viFirst: readonly number[],
  eeFirst: readonly number[],
  centre: (xs: readonly number[]) => number,
): number {
  if (viFirst.length === 0) return centre(eeFirst);
  if (eeFirst.length === 0) return centre(viFirst);
  return 0.5 * (centre(viFirst) + centre(eeFirst));
}

/** m̄ ± t·sd/√R over per-repetition values (log units). */
function tOver(values: readonly number[]): { centre: number; half: number; se: number; df: number } {
  const df = values.length - 1;
  const se = sd(values) / Math.sqrt(values.length);
  return { centre: mean(values), half: studentTQuantile(0.975, df) * se, se, df };
}

/**
 * The paired ΔT estimate of a row from its pairs; see the module comment. Needs pairs from at least
 * two repetitions (an Error says how many there were).
 */
export function pairedDeltaT(pairs: readonly PairedObservation[]): PairedDeltaT {
  pairs.forEach(checkObservation);
  const byRep = new Map<number, { viFirst: number[]; eeFirst: number[] }>();
  for (const p of pairs) {
    const g = byRep.get(p.rep) ?? { viFirst: [], eeFirst: [] };
    (p.eeFirst ? g.eeFirst : g.viFirst).push(Math.log(p.eeMs / p.viMs));
    byRep.set(p.rep, g);
  }
  const reps = [...byRep.keys()].sort((a, b) => a - b);
  if (reps.length < 2)
    throw new Error(`pairedDeltaT: need pairs from ≥ 2 repetitions for an interval, got ${reps.length}`);
  const groups = reps.map((r) => byRep.get(r)!);
  const perRepMean = groups.map((g) => repCentre(g.viFirst, g.eeFirst, mean));
  const perRepMedian = groups.map((g) => repCentre(g.viFirst, g.eeFirst, median));
  const m = tOver(perRepMean);
  const md = tOver(perRepMedian);
  const all = (k: "viFirst" | "eeFirst") => groups.flatMap((g) => g[k]);
  const viFirst = all("viFirst");
  const eeFirst = all("eeFirst");
  // Within-group spread of r (order effect removed): the pair-level noise, sd(r).
  const resid = [
    ...viFirst.map((r) => r - (viFirst.length ? mean(viFirst) : 0)),
    ...eeFirst.map((r) => r - (eeFirst.length ? mean(eeFirst) : 0)),
  ];
  const groupsUsed = (viFirst.length > 0 ? 1 : 0) + (eeFirst.length > 0 ? 1 : 0);
  const sdLogRatio =
    resid.length > groupsUsed
      ? Math.sqrt(resid.reduce((s, x) => s + x * x, 0) / (resid.length - groupsUsed))
      : 0;
  const mde = (studentTQuantile(0.975, m.df) + studentTQuantile(0.8, m.df)) * m.se;
  return {
    pairs: pairs.length,
    repetitions: reps.length,
    meanLogRatio: m.centre,
    deltaTPct: pct(m.centre),
    ci95Pct: [pct(m.centre - m.half), pct(m.centre + m.half)],
    halfWidthPct: (pct(m.centre + m.half) - pct(m.centre - m.half)) / 2,
    medianDeltaTPct: pct(md.centre),
    medianCi95Pct: [pct(md.centre - md.half), pct(md.centre + md.half)],
    perRepLogRatio: perRepMean,
    sdLogRatio,
    orderEffectPct: viFirst.length > 0 && eeFirst.length > 0 ? pct(0.5 * (mean(eeFirst) - mean(viFirst))) : 0,
    mdePct: pct(mde),
    df: m.df,
  };
}

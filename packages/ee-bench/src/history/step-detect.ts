/**
 * Step detection in a row's ΔT series (one value per run, oldest first), judged against the noise the
 * row itself shows — a binary segmentation in the spirit of asv's step detection, with the threshold
 * taken from the measurements instead of a fixed percentage.
 *
 * For a candidate step at run k (runs before it: L; runs from k on: R), the shift is
 * Δ = mean_R(ΔT) − mean_L(ΔT).
 * It counts as a step only when |Δ| exceeds
 *
 *   allowance = max(within, between) + floor
 *
 * - within  = √(H_L² + H_R²), H_S = √(Σ_{i∈S} h_i²) / |S|: the 95 % half-width of the difference of the
 *   two segment means, from each run's own paired interval h_i (a t-interval over its repetitions);
 * - between = t_{0.975, n−2} · s · √(1/|L| + 1/|R|), s the pooled sd of the runs around their segment
 *   means: the run-to-run scatter the per-run intervals do not see (machine state that changes between
 *   nights); zero with only two runs;
 * - floor   = the mean over the segment's runs of the row's A/A control reach max(|low|, |high|):
 *   the harness's own bias and resolution, which no amount of averaging removes.
 *
 * L is every run of the segment before k; R is a window of the runs from k on (every length ≥ 2, so a
 * slowdown that is later removed — a bump — is found as well as a lasting step). It must persist: R
 * holds ≥ 2 runs, or k is the last run alone; and each of the first two runs of R lies beyond mean_L on
 * the shift's side by more than √(H_L² + h_j²) + floor — one outlier night cannot make a step. The
 * passing (k, R) with the largest |Δ| / allowance is kept, and the segments before and from k are
 * searched again (binary segmentation), so a series can hold several steps: a bump gives a slowdown
 * at its first run and a speedup at the first run after it.
 *
 * Why this test: the per-run intervals already quantify within-run noise, and the A/A control
 * quantifies the harness's floor; a threshold built from them scales with the machine (quiet machine:
 * small steps resolved; loaded machine: only large ones), where a fixed "5 %" would either cry wolf or
 * miss real regressions. Taking the larger of the within- and between-run allowances keeps the test
 * honest when nights differ more than repetitions within a night.
 */
import { mean, studentTQuantile } from "ee-core";

/** One run's ΔT for a row. */
export interface SeriesPoint {
  /** Paired ΔT (%). */
  deltaTPct: number;
  /** 95 % half-width of the paired ΔT (%). */
  halfWidthPct: number;
  /** The row's A/A control reach in this run; 0 without a control (%). */
  floorPct: number;
}

/** A step at index `at` (the first run after it). */
export interface Step {
  /** Index of the first run after the step (index). */
  at: number;
  /** Runs in the segment before / from the step (count). */
  before: number;
  /** Runs from the step on that entered the test (count). */
  after: number;
  /** Mean ΔT before (%). */
  meanBeforePct: number;
  /** Mean ΔT after (%). */
  meanAfterPct: number;
  /** meanAfter − meanBefore (percentage points). */
  shiftPts: number;
  /** The allowance the shift exceeded (percentage points). */
  thresholdPts: number;
}

/** √(Σ h²) / n: the 95 % half-width of a mean of independent estimates. */
const meanHalf = (ps: readonly SeriesPoint[]) =>
  Math.sqrt(ps.reduce((s, p) => s + p.halfWidthPct ** 2, 0)) / ps.length;

/** The test of `left` against `right` (the runs from the candidate step on); undefined when it does not pass. */
function testSplit(
  left: readonly SeriesPoint[],
  right: readonly SeriesPoint[],
): Omit<Step, "at"> | undefined {
  const mL = mean(left.map((p) => p.deltaTPct));
  const mR = mean(right.map((p) => p.deltaTPct));
  const shift = mR - mL;
  const hL = meanHalf(left);
  const within = Math.sqrt(hL ** 2 + meanHalf(right) ** 2);
  const df = left.length + right.length - 2;
  let between = 0;
  if (df >= 1) {
    const ss =
      left.reduce((s, p) => s + (p.deltaTPct - mL) ** 2, 0) +
      right.reduce((s, p) => s + (p.deltaTPct - mR) ** 2, 0);
    between =
      studentTQuantile(0.975, df) * Math.sqrt(ss / df) * Math.sqrt(1 / left.length + 1 / right.length);
  }
  const floor = mean([...left, ...right].map((p) => p.floorPct));
  const threshold = Math.max(within, between) + floor;
  if (!(Math.abs(shift) > threshold)) return undefined;
  const persists = right
    .slice(0, 2)
    .every(
      (p) =>
        Math.sign(p.deltaTPct - mL) === Math.sign(shift) &&
        Math.abs(p.deltaTPct - mL) > Math.sqrt(hL ** 2 + p.halfWidthPct ** 2) + floor,
    );
  if (!persists) return undefined;
  return {
    before: left.length,
    after: right.length,
    meanBeforePct: mL,
    meanAfterPct: mR,
    shiftPts: shift,
    thresholdPts: threshold,
  };
}

const score = (s: Omit<Step, "at">) => Math.abs(s.shiftPts) / s.thresholdPts;

/** The steps of `series` (oldest first), sorted by position. */
export function detectSteps(series: readonly SeriesPoint[]): Step[] {
  const steps: Step[] = [];
  const search = (lo: number, hi: number) => {
    let best: Step | undefined;
    for (let at = lo + 1; at < hi; at++) {
      const left = series.slice(lo, at);
      // the runs after the step: ≥ 2, or the last run of the series alone
      for (let end = at + 1; end <= hi; end++) {
        if (end - at < 2 && at !== series.length - 1) continue;
        const t = testSplit(left, series.slice(at, end));
        if (t && (!best || score(t) > score(best))) best = { at, ...t };
      }
    }
    if (!best) return;
    steps.push(best);
    search(lo, best.at);
    search(best.at, hi);
  };
  search(0, series.length);
  return steps.sort((a, b) => a.at - b.at);
}

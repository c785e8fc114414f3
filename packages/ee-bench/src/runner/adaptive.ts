/**
 * Adaptive repetitions: after the row's minimum repetitions, one more is added while the paired ΔT's
 * 95 % half-width is above the row's target and another repetition still fits in its time budget
 * (the last repetition's duration is the estimate of the next). The budget counts the row's
 * measuring time (warm-up and timed calls, not building), and never cuts the minimum repetitions.
 */
import type { AdaptiveStop } from "../types.js";

/** What the stop rule looks at after each repetition. */
export interface AdaptiveState {
  /** Repetitions complete (count). */
  reps: number;
  /** Current paired 95 % half-width; undefined while it cannot be computed (%). */
  halfWidthPct: number | undefined;
  /** The row's target half-width (%). */
  targetPct: number;
  /** Measuring time spent on the row so far (s). */
  elapsedSec: number;
  /** Duration of the last repetition (s). */
  lastRepSec: number;
  /** The row's time budget (s). */
  budgetSec: number;
}

/** `continue`, or the reason to stop. */
export type AdaptiveDecision = { kind: "continue" } | AdaptiveStop;

/** The stop rule; see the module comment. */
export function adaptiveDecision(s: AdaptiveState): AdaptiveDecision {
  const hw = s.halfWidthPct;
  if (hw !== undefined && hw <= s.targetPct) return { kind: "target-met", reps: s.reps, halfWidthPct: hw };
  if (s.elapsedSec + s.lastRepSec > s.budgetSec)
    return { kind: "budget-ended", reps: s.reps, halfWidthPct: hw ?? Number.POSITIVE_INFINITY };
  return { kind: "continue" };
}

/** How an adaptive row's stop reads in the report: "target met at R=…" / "budget ended at ±…". */
export function formatStop(stop: AdaptiveStop): string {
  return stop.kind === "target-met"
    ? `target met at R=${stop.reps} (±${stop.halfWidthPct.toFixed(2)} %)`
    : `budget ended at ±${Number.isFinite(stop.halfWidthPct) ? stop.halfWidthPct.toFixed(2) : "n/a"} % (R=${stop.reps})`;
}

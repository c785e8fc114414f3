/** The paired-analysis parts of a row's summary: adaptive stop, noise floor, load. */
import type { PairedDeltaT } from "ee-core";

/** The paired ΔT of a row (ee-core `pairedDeltaT`), present with ≥ 2 complete repetitions. */
export type RowPairedDeltaT = PairedDeltaT;

/** Why an adaptive row stopped adding repetitions. */
export interface AdaptiveStop {
  /** `target-met`: the 95 % half-width reached the row's target; `budget-ended`: its time budget ran out first. */
  kind: "target-met" | "budget-ended";
  /** Repetitions measured (count). */
  reps: number;
  /** Paired ΔT 95 % half-width reached (%). */
  halfWidthPct: number;
}

/** A row set beside its A/A control. */
export interface ControlComparison {
  /** The control row's id (text). */
  row: string;
  /** The control's paired ΔT (%). */
  deltaTPct: number;
  /** The control's paired 95 % interval (%). */
  ci95Pct: [number, number];
  /**
   * `indistinguishable`: |ΔT| of the row is within the control's interval reach, max(|low|, |high|),
   * so it cannot be told from 0 at this resolution; `resolved` otherwise.
   */
  verdict: "indistinguishable" | "resolved";
}

/** The machine's load around a row (1-minute load average from /proc/loadavg). */
export interface RowLoad {
  /** Load average just before the row's timed calls (runnable processes). */
  before: number;
  /** Load average just after them (runnable processes). */
  after: number;
  /** Logical cores of the machine (cores). */
  cores: number;
}

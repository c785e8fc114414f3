/** Per-call latency statistics from tinybench. */
import type { TargetKind } from "./target.js";

/** Per-call latency statistics of one target from tinybench (one fixed sample, repeated calls). */
export interface MicrobenchResult {
  /** Suite row id (text). */
  row: string;
  /** Which target. */
  target: TargetKind;
  /** Calls measured (calls). */
  iterations: number;
  /** Mean latency (ms). */
  meanMs: number;
  /** Median latency (ms). */
  p50Ms: number;
  /** 99th percentile latency (ms). */
  p99Ms: number;
  /** Standard deviation of latency (ms). */
  sdMs: number;
  /** Relative margin of error of the mean at 95 % (%). */
  rmePct: number;
}

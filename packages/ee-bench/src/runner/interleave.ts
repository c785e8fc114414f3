/**
 * The timing plan of a row: which samples each call gets, and in which order VI and EE run.
 *
 * Calls of all repetitions form one sequence of pairs; pair k runs VI first when k is even and EE
 * first when k is odd, giving A B | B A | A B | B A … (ABBA), so a drift in machine speed affects
 * both targets alike and each target runs first equally often.
 */
import type { BenchSample, TargetKind } from "../types.js";

/** Which target runs first and second in pair `rep * callsPerRep + call`. */
export function pairOrder(rep: number, call: number, callsPerRep: number): readonly [TargetKind, TargetKind] {
  return (rep * callsPerRep + call) % 2 === 0 ? (["vi", "ee"] as const) : (["ee", "vi"] as const);
}

/** The batches of one repetition: the sample set `passes` times, cut into batches of `batchSize`. */
export function planCalls(
  samples: readonly BenchSample[],
  passes: number,
  batchSize: number,
): BenchSample[][] {
  const calls: BenchSample[][] = [];
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < samples.length; i += batchSize) calls.push(samples.slice(i, i + batchSize));
  }
  return calls;
}

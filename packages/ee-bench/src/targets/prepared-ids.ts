/** Token ids prepared (untimed) by a pair's `prepare`, looked up per timed call. */
import type { BenchSample, SuiteRow } from "../types.js";

/** The prepared ids of each sample of `batch`; an Error naming the row and sample when one is missing. */
export function preparedIds(
  ids: ReadonlyMap<string, number[]>,
  batch: readonly BenchSample[],
  row: SuiteRow,
): number[][] {
  return batch.map((s) => {
    const t = ids.get(s.id);
    if (!t) throw new Error(`row ${row.id}: sample ${s.id} was not tokenized (prepare not called)`);
    return t;
  });
}

/** The interleaved pairs of a row's records as ee-core paired observations (VI and EE of one call). */
import type { PairedObservation } from "ee-core";
import { pairKey } from "../runner/samples-log.js";
import type { SampleRecord } from "../types.js";

/** One observation per call that has both records; `eeFirst` from the EE record's order. */
export function pairObservations(records: readonly SampleRecord[]): PairedObservation[] {
  const vi = new Map<string, SampleRecord>();
  for (const r of records) if (r.target === "vi") vi.set(pairKey(r), r);
  const out: PairedObservation[] = [];
  for (const ee of records) {
    if (ee.target !== "ee") continue;
    const v = vi.get(pairKey(ee));
    if (v) out.push({ rep: ee.rep, viMs: v.latencyMs, eeMs: ee.latencyMs, eeFirst: ee.order === 0 });
  }
  return out;
}

/**
 * What differs between two run configurations, field by field, so a refused `--resume` names the
 * fields ("row bert-tiny: repetitions 3 → 4; threads default → 2") instead of only a hash.
 */
import type { RunConfig } from "../types.js";
import { canonicalJson } from "./config-hash.js";

/** Short printable form of a JSON value (long values elided). */
function show(v: unknown): string {
  if (v === undefined) return "default";
  const s = canonicalJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/** Differences of two flat objects: "k a → b" per differing key (sorted). */
function fieldDiffs(a: Record<string, unknown>, b: Record<string, unknown>, skip: string[] = []): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !skip.includes(k)).sort();
  return keys
    .filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null))
    .map((k) => `${k} ${show(a[k])} → ${show(b[k])}`);
}

/** Every difference between the run's configuration `old` and the requested `now`; empty when equal. */
export function describeConfigDiff(old: RunConfig, now: RunConfig): string[] {
  const out: string[] = [];
  for (const f of fieldDiffs(
    { device: old.device, threads: old.threads },
    { device: now.device, threads: now.threads },
  ))
    out.push(f);
  const { rows: oldRows, ...oldSuite } = old.suite;
  const { rows: nowRows, ...nowSuite } = now.suite;
  for (const f of fieldDiffs(oldSuite, nowSuite)) out.push(`suite ${f}`);
  const ids = [...new Set([...oldRows.map((r) => r.id), ...nowRows.map((r) => r.id)])];
  for (const id of ids) {
    const a = oldRows.find((r) => r.id === id);
    const b = nowRows.find((r) => r.id === id);
    if (a === undefined) out.push(`row ${id}: not in the run`);
    else if (b === undefined) out.push(`row ${id}: in the run, not requested now`);
    else {
      const fields = fieldDiffs(
        a as unknown as Record<string, unknown>,
        b as unknown as Record<string, unknown>,
      );
      const sa = old.sampleIds[id] ?? [];
      const sb = now.sampleIds[id] ?? [];
      if (canonicalJson(sa) !== canonicalJson(sb)) {
        const gone = sa.filter((s) => !sb.includes(s)).length;
        const added = sb.filter((s) => !sa.includes(s)).length;
        fields.push(
          `samples ${sa.length} → ${sb.length} (${gone} dropped, ${added} new: data or its filters changed)`,
        );
      }
      if (fields.length > 0) out.push(`row ${id}: ${fields.join(", ")}`);
    }
  }
  return out;
}

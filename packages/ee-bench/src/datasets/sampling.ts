/**
 * Deterministic seeded sampling. Same seed + same rows → same samples in the same order.
 * Labelled rows (IMDB) are drawn balanced across labels.
 */
import { createRandom } from "ee-core";
import type { BenchSample } from "../types.js";

/** Fisher–Yates shuffle of a copy, driven by a seeded stream named `label`. */
export function seededShuffle<T>(items: readonly T[], seed: number, label: string): T[] {
  const rng = createRandom({ seed: `ee-bench:${seed}` }).derive(label);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Draws `count` samples. All rows when `count` ≥ rows (file order kept). Otherwise a seeded draw;
 * when the rows carry labels the draw is balanced (each label gets `count / labels`, the remainder
 * going to the lowest labels), then shuffled so labels are mixed.
 */
export function sampleRows(
  rows: readonly BenchSample[],
  count: number,
  seed: number,
  label: string,
): BenchSample[] {
  if (count >= rows.length) return rows.slice();
  const byLabel = new Map<number, BenchSample[]>();
  for (const r of rows) {
    if (r.label === undefined) continue;
    const list = byLabel.get(r.label) ?? [];
    list.push(r);
    byLabel.set(r.label, list);
  }
  const labelled =
    byLabel.size > 1 && [...byLabel.values()].reduce((s, l) => s + l.length, 0) === rows.length;
  if (!labelled) return seededShuffle(rows, seed, label).slice(0, count);
  const labels = [...byLabel.keys()].sort((a, b) => a - b);
  const base = Math.floor(count / labels.length);
  let extra = count - base * labels.length;
  const picked: BenchSample[] = [];
  let shortfall = 0;
  for (const l of labels) {
    const want = base + (extra > 0 ? 1 : 0);
    if (extra > 0) extra--;
    const got = seededShuffle(byLabel.get(l)!, seed, `${label}:label${l}`).slice(0, want);
    shortfall += want - got.length;
    picked.push(...got);
  }
  if (shortfall > 0) {
    // A label ran short: top up from the unpicked rows so the count is still met.
    const ids = new Set(picked.map((p) => p.id));
    const rest = seededShuffle(
      rows.filter((r) => !ids.has(r.id)),
      seed,
      `${label}:rest`,
    );
    picked.push(...rest.slice(0, shortfall));
  }
  return seededShuffle(picked, seed, `${label}:order`);
}

/**
 * IMDB (aclImdb layout) listed from the origins manifest instead of the disk, so a seeded sample can
 * be drawn — and only its files fetched — without downloading all 5,000 reviews. The listing is the
 * one the folder reader makes (pos then neg, by numeric id), so the same seed draws the same reviews
 * as from a full mirror.
 */
import { expandPath, loadOriginsManifest, type OriginsManifest } from "ee-core";
import type { BenchSample } from "../types.js";
import { sampleRows } from "./sampling.js";

/** One review in the listing: its placeholder row (text not read yet) and logical path. */
export interface AclListed {
  /** Row with `text` empty until read. */
  row: BenchSample;
  /** Logical path (mirror layout). */
  path: string;
}

const CLASSES: ReadonlyArray<readonly [string, number]> = [
  ["pos", 1],
  ["neg", 0],
];

/** The reviews under `rel` (a dataset root holding `test/`) in the origins manifest; undefined when it lists none. */
export function aclImdbListing(
  rel: string,
  dataset: string,
  manifest: OriginsManifest = loadOriginsManifest(),
): AclListed[] | undefined {
  const out: AclListed[] = [];
  for (const [folder, label] of CLASSES) {
    let files: string[];
    try {
      files = expandPath(manifest, `${rel.replace(/\/+$/, "")}/test/${folder}`).map((f) => f.path);
    } catch {
      return undefined;
    }
    const named = files
      .map((p) => ({ p, m: /\/(\d+)_(\d+)\.txt$/.exec(p) }))
      .filter((x) => x.m !== null)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]));
    for (const { p, m } of named) {
      out.push({ path: p, row: { id: `${folder}/${m![1]}_${m![2]}`, text: "", label, dataset } });
    }
  }
  return out;
}

/** The listed reviews a seeded draw of `count` picks, in draw order. */
export function sampleAclListing(
  listing: readonly AclListed[],
  count: number,
  seed: number,
  dataset: string,
): AclListed[] {
  const byId = new Map(listing.map((l) => [l.row.id, l]));
  return sampleRows(
    listing.map((l) => l.row),
    count,
    seed,
    dataset,
  ).map((r) => byId.get(r.id)!);
}

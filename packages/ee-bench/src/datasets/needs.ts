/**
 * Which data files a suite needs (logical paths, mirror layout), so `ee run` and `ee fetch` acquire
 * exactly those first: each row's dataset files (for aclImdb, only the seeded sample's reviews) and
 * the tokenizer files of its model.
 */
import { getPreset, LLAMA31_TOKENIZER_CONFIG } from "ee-models";
import type { DatasetSelection } from "../types.js";
import { aclImdbListing, sampleAclListing } from "./acl-listing.js";
import { loadManifest } from "./manifest.js";

/** Data files of each tokenizer source (by `Preset.tokenizer`). */
const TOKENIZER_FILES: Readonly<Record<string, readonly string[]>> = {
  "bert-base-uncased": ["model_files/bert-base-uncased/bert-base-uncased.json"],
  "roberta-base": ["model_files/roberta-base/tokenizer.json"],
};

/** The part of a resolved suite row that decides its data. */
export interface DataRow {
  /** Preset name. */
  model: string;
  /** `classify` or `generate`. */
  task: string;
  /** Seed of the sampling (integer). */
  seed: number;
  /** Dataset selections. */
  datasets: readonly DatasetSelection[];
}

/** Logical paths one dataset selection reads. */
export function selectionPaths(sel: DatasetSelection, seed: number, manifestDir?: string): string[] {
  if (sel.path !== undefined) return [sel.path];
  const m = loadManifest(sel.name, manifestDir);
  const filtered = sel.minPromptTokens !== undefined || sel.maxPromptTokens !== undefined;
  if (m.format === "aclimdb" && m.paths.length === 1 && !filtered) {
    const listing = aclImdbListing(m.paths[0], sel.name);
    if (listing)
      return sampleAclListing(listing, sel.count ?? m.defaultCount, seed, sel.name).map((l) => l.path);
  }
  return [...m.paths];
}

/** Logical paths a row's model needs (tokenizer files). */
function modelPaths(row: DataRow): string[] {
  const out: string[] = [];
  try {
    const tok = getPreset(row.model).tokenizer;
    if (tok) out.push(...(TOKENIZER_FILES[tok] ?? []));
  } catch {
    // not a preset name (a config path): its tokenizer comes with it
  }
  if (row.task === "generate") out.push(LLAMA31_TOKENIZER_CONFIG);
  return out;
}

/** Every logical path the rows need, without duplicates, in first-seen order. */
export function suiteDataPaths(rows: readonly DataRow[], manifestDir?: string): string[] {
  const out = new Set<string>();
  for (const row of rows) {
    for (const sel of row.datasets) for (const p of selectionPaths(sel, row.seed, manifestDir)) out.add(p);
    for (const p of modelPaths(row)) out.add(p);
  }
  return [...out];
}

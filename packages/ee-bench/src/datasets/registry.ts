/**
 * The dataset registry: file formats by name (a table, not if-chains), and `loadDataset`, which
 * reads a dataset's manifest, parses its files, applies filters and draws a seeded sample.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { acquireFiles, cacheDataDir, fetchSettings } from "ee-core";
import { manifestsDir } from "../paths.js";
import type {
  BenchSample,
  DatasetFormat,
  DatasetIssue,
  DatasetLoadContext,
  DatasetSelection,
  FormatReadResult,
  LoadedDataset,
} from "../types.js";
import { aclImdbListing, sampleAclListing } from "./acl-listing.js";
import { IMDB_FORMATS, isDir } from "./imdb.js";
import { loadManifest, verifyFiles } from "./manifest.js";
import { MT_BENCH_FORMATS } from "./mt-bench.js";
import { sampleRows } from "./sampling.js";
import { SHAREGPT_FORMATS } from "./sharegpt.js";
import { dropUndecodable } from "./text-check.js";

/** Every file format, by name. */
export const DATASET_FORMATS: ReadonlyMap<string, DatasetFormat> = new Map(
  [...IMDB_FORMATS, ...MT_BENCH_FORMATS, ...SHAREGPT_FORMATS].map((f) => [f.name, f]),
);

/** Format guessed from a file extension when a selection gives a `path` but no `format`. */
const FORMAT_BY_EXTENSION: Readonly<Record<string, string>> = {
  ".parquet": "imdb-parquet",
  ".csv": "imdb-csv",
  ".jsonl": "mt-bench-jsonl",
  ".json": "sharegpt-json",
};

function formatFor(selection: DatasetSelection, manifestFormat: string, absPath: string): DatasetFormat {
  let name = selection.format;
  if (name === undefined && selection.path !== undefined && !isDir(absPath)) {
    name = FORMAT_BY_EXTENSION[extname(absPath).toLowerCase()];
  }
  name ??= manifestFormat;
  const format = DATASET_FORMATS.get(name);
  if (!format) {
    throw new Error(
      `dataset ${selection.name}: unknown format "${name}" (known: ${[...DATASET_FORMATS.keys()].join(", ")})`,
    );
  }
  return format;
}

/**
 * Loads one dataset selection: manifest → files → rows (+ issues) → length filters → seeded sample.
 * A missing file or folder is an Error saying what to put where.
 */
export async function loadDataset(
  selection: DatasetSelection,
  ctx: DatasetLoadContext,
  manifestDir: string = manifestsDir(),
): Promise<LoadedDataset> {
  const manifest = loadManifest(selection.name, manifestDir);
  const fromListing = await loadAclFromListing(selection, ctx, manifest);
  if (fromListing) return fromListing;
  const relPaths = selection.path !== undefined ? [selection.path] : manifest.paths;
  const merged: FormatReadResult = { rows: [], issues: [], filteredCount: 0, files: [] };
  for (const rel of relPaths) {
    const abs = join(ctx.dataDir, rel);
    if (!existsSync(abs)) {
      throw new Error(
        `dataset ${selection.name}: ${abs} does not exist. Put ${manifest.description} there (source: ${manifest.source}), or set EE_DATA_DIR to a folder holding ${rel}.`,
      );
    }
    const format = formatFor(selection, manifest.format, abs);
    const part = await format.read(abs, {
      dataset: selection.name,
      dataDir: ctx.dataDir,
      turn: selection.turn ?? 1,
    });
    merged.rows.push(...part.rows);
    merged.issues.push(...part.issues);
    merged.filteredCount += part.filteredCount;
    merged.files.push(...part.files);
  }
  if (ctx.verify) verifyFiles(ctx.dataDir, merged.files, manifest);

  const decoded = dropUndecodable(merged.rows);
  merged.issues.push(...decoded.issues);
  let rows = decoded.rows;
  const { minPromptTokens, maxPromptTokens } = selection;
  if (minPromptTokens !== undefined || maxPromptTokens !== undefined) {
    const count = ctx.countTokens;
    if (!count) {
      throw new Error(
        `dataset ${selection.name}: minPromptTokens/maxPromptTokens need a tokenizer, and none was given`,
      );
    }
    rows = rows.filter((r) => {
      const n = count(r.text);
      return (
        (minPromptTokens === undefined || n >= minPromptTokens) &&
        (maxPromptTokens === undefined || n <= maxPromptTokens)
      );
    });
    merged.filteredCount += merged.rows.length - rows.length;
  }
  // Ids must be unique: several files can repeat an id (e.g. two ShareGPT exports).
  const seen = new Map<string, number>();
  rows = rows.map((r) => {
    const k = seen.get(r.id) ?? 0;
    seen.set(r.id, k + 1);
    return k === 0 ? r : { ...r, id: `${r.id}~${k}` };
  });

  const requestedCount = selection.count ?? manifest.defaultCount;
  const samples = sampleRows(rows, requestedCount, ctx.seed, selection.name);
  return {
    name: selection.name,
    samples,
    issues: merged.issues,
    filteredCount: merged.filteredCount,
    availableCount: rows.length,
    requestedCount,
    files: merged.files,
  };
}

/**
 * aclImdb read from the cache (no mirror): the reviews are listed from the origins manifest, the
 * seeded sample is drawn from that listing (the same draw a full mirror gives) and only the drawn
 * files are fetched and read. Undefined when this does not apply (a mirror, a path, filters).
 */
async function loadAclFromListing(
  selection: DatasetSelection,
  ctx: DatasetLoadContext,
  manifest: ReturnType<typeof loadManifest>,
): Promise<LoadedDataset | undefined> {
  const settings = fetchSettings();
  if (ctx.dataDir !== cacheDataDir(settings)) return undefined;
  if ((selection.format ?? manifest.format) !== "aclimdb" || selection.path !== undefined) return undefined;
  if (selection.minPromptTokens !== undefined || selection.maxPromptTokens !== undefined) return undefined;
  if (manifest.paths.length !== 1) return undefined;
  const listing = aclImdbListing(manifest.paths[0], selection.name);
  if (!listing) return undefined;
  const requestedCount = selection.count ?? manifest.defaultCount;
  const picked = sampleAclListing(listing, requestedCount, ctx.seed, selection.name);
  const got = await acquireFiles(
    picked.map((p) => p.path),
    { settings, mirror: null },
  );
  const samples: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  for (const p of picked) {
    const text = readFileSync(join(got.root, p.path), "utf8");
    if (text.trim() === "")
      issues.push({ dataset: selection.name, file: p.path, line: 1, reason: "empty review" });
    else samples.push({ ...p.row, text });
  }
  const files = picked.map((p) => p.path);
  if (ctx.verify) verifyFiles(got.root, files, manifest);
  return {
    name: selection.name,
    samples,
    issues,
    filteredCount: 0,
    availableCount: listing.length,
    requestedCount,
    files,
  };
}

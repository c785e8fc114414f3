/**
 * Where things live: the repository root (for `benchmarks/`, `datasets/`, `reports/`) and the data
 * directory (`EE_DATA_DIR`, else `<repo>/../shared/datasets` when it exists).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root: this file is `packages/ee-bench/{src,dist}/paths.*`. */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

/** Folder of the suite files. */
export function benchmarksDir(): string {
  return join(repoRoot(), "benchmarks");
}

/** Folder of the dataset manifests. */
export function manifestsDir(): string {
  return join(repoRoot(), "datasets");
}

/** Default folder of run outputs. */
export function reportsDir(): string {
  return join(repoRoot(), "reports");
}

/** What goes where, shown when the data directory is missing. */
const DATA_LAYOUT = [
  "imdb_aclImdb/test/{pos,neg}/<id>_<rating>.txt   (IMDB, aclImdb layout)",
  "mt_bench/question.jsonl                          (MT-Bench questions)",
  "sharegpt_ml-energy/*.json                        (ShareGPT first-turn prompts)",
  "sharegpt_marugannwg/sampled_enriched_data/*.json (ShareGPT conversations)",
  "model_files/…                                    (tokenizer and config files)",
].join("\n  ");

/**
 * The data directory: `explicit`, else `EE_DATA_DIR`, else `<repo>/../shared/datasets`.
 * Throws an Error saying what to set and what goes where when none exists.
 */
export function resolveBenchDataDir(explicit?: string): string {
  const fromEnv = process.env.EE_DATA_DIR;
  const candidate =
    explicit ?? (fromEnv && fromEnv.length > 0 ? fromEnv : join(repoRoot(), "..", "shared", "datasets"));
  const dir = resolve(candidate);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const how = explicit
      ? "the --data-dir option"
      : fromEnv
        ? "EE_DATA_DIR"
        : "the default <repo>/../shared/datasets";
    throw new Error(
      `data directory ${dir} (from ${how}) does not exist. Set EE_DATA_DIR (or --data-dir) to a folder holding:\n  ${DATA_LAYOUT}\nSee datasets/README.md.`,
    );
  }
  return dir;
}

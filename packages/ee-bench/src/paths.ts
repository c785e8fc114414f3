/**
 * Where things live: the repository root (for `benchmarks/`, `datasets/`, `reports/`) and the data
 * directory (through ee-core's acquisition layer).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveDataDir } from "ee-core";

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

/**
 * The data directory: `explicit` (`--data-dir`), else `EE_DATA_DIR`, else `<repo>/../shared/datasets`,
 * else the cache filled from the pinned origins — ee-core's one resolver. Throws an Error saying what
 * to set or run when none exists. `ee run` and `ee fetch` acquire missing files first (`acquireFiles`).
 */
export function resolveBenchDataDir(explicit?: string): string {
  return resolveDataDir({ explicit });
}

/**
 * Dataset manifests (`datasets/<name>.json`): which files a dataset reads, relative to the data
 * directory, and their sha256 — checked on request against the manifest, `<dataDir>/MANIFEST.tsv`, or
 * (in the cache, which has none) the committed origins manifest.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { loadOriginsManifest } from "ee-core";
import { manifestsDir } from "../paths.js";
import type { DatasetManifest } from "../types.js";

/** Reads and validates one manifest file; errors name the file and the field. */
export function parseManifest(json: unknown, file: string): DatasetManifest {
  const fail = (field: string, what: string): never => {
    throw new Error(`${file}: field "${field}" ${what}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("(root)", "must be an object");
  const o = json as Record<string, unknown>;
  for (const k of ["name", "description", "format", "source"]) {
    if (typeof o[k] !== "string" || (o[k] as string).length === 0) fail(k, "must be a non-empty string");
  }
  if (!Array.isArray(o.paths) || o.paths.length === 0 || !o.paths.every((p) => typeof p === "string")) {
    fail("paths", "must be a non-empty array of paths relative to the data directory");
  }
  if (!Number.isInteger(o.defaultCount) || (o.defaultCount as number) <= 0)
    fail("defaultCount", "must be a positive integer");
  if (o.sha256 !== undefined) {
    if (typeof o.sha256 !== "object" || o.sha256 === null) fail("sha256", "must be an object path → hex");
    for (const [p, h] of Object.entries(o.sha256 as Record<string, unknown>)) {
      if (typeof h !== "string" || !/^[0-9a-f]{64}$/.test(h))
        fail(`sha256.${p}`, "must be 64 lowercase hex digits");
    }
  }
  const expectedName = basename(file).replace(/\.json$/, "");
  if (o.name !== expectedName) fail("name", `is "${String(o.name)}" but the file is ${basename(file)}`);
  return o as unknown as DatasetManifest;
}

/** Loads `datasets/<name>.json` from `dir` (default: the repository's `datasets/`). */
export function loadManifest(name: string, dir: string = manifestsDir()): DatasetManifest {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) {
    const known = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => f.slice(0, -5))
      : [];
    throw new Error(`unknown dataset "${name}": no manifest ${file} (known: ${known.join(", ") || "none"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseManifest(json, file);
}

/** sha256 of a file (hex). */
export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Path (relative to the data dir) → sha256, from `<dataDir>/MANIFEST.tsv` (columns path, bytes, sha256, …). */
export function readManifestTsv(dataDir: string): Map<string, string> {
  const file = join(dataDir, "MANIFEST.tsv");
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (i === 0 || line.trim() === "") return;
    const cols = line.split("\t");
    if (cols.length < 3 || !/^[0-9a-f]{64}$/.test(cols[2])) {
      throw new Error(`${file}:${i + 1}: expected "path<TAB>bytes<TAB>sha256…"`);
    }
    out.set(cols[0], cols[2]);
  });
  return out;
}

/**
 * Checks each file (relative to the data dir) against the manifest's sha256, else MANIFEST.tsv.
 * Throws naming the first file that is unlisted or differs.
 */
export function verifyFiles(dataDir: string, relFiles: readonly string[], manifest?: DatasetManifest): void {
  let tsv = readManifestTsv(dataDir);
  if (tsv.size === 0) {
    // the cache's data view has no MANIFEST.tsv: the committed origins manifest pins the same files
    tsv = new Map([...loadOriginsManifest().files.values()].map((f) => [f.path, f.sha256]));
  }
  for (const rel of relFiles) {
    const expected = manifest?.sha256?.[rel] ?? tsv.get(rel);
    if (expected === undefined) {
      throw new Error(
        `verify: ${rel} has no sha256 in the dataset manifest or ${join(dataDir, "MANIFEST.tsv")}`,
      );
    }
    const actual = sha256File(join(dataDir, rel));
    if (actual !== expected) {
      throw new Error(`verify: ${join(dataDir, rel)} sha256 ${actual} ≠ expected ${expected}`);
    }
  }
}

/** Small fixture data directories written to a temp folder for the dataset tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes `files` (path relative to a new temp dir → content) and returns the dir. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ee-bench-ds-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

/** A manifest folder with one manifest per entry. */
export function writeManifests(manifests: Record<string, Record<string, unknown>>): string {
  return writeTree(
    Object.fromEntries(
      Object.entries(manifests).map(([n, m]) => [`${n}.json`, JSON.stringify({ name: n, ...m })]),
    ),
  );
}

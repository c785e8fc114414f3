/**
 * Where the local mirror of public data lives (tokenizer/config files, IMDB, MT-Bench, ShareGPT).
 * `EE_DATA_DIR` when set; else `<repo>/../shared/datasets` when it exists (the repo root is the
 * nearest ancestor whose package.json has `workspaces`); else a clear error. Nothing from it is
 * ever copied into the repository.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Files the suite reads from the data directory (relative paths), for error messages. */
export const EXPECTED_DATA_FILES = [
  "model_files/bert-base-uncased/bert-base-uncased.json",
  "model_files/bert-base-uncased/config.json",
  "model_files/roberta-base/tokenizer.json",
  "model_files/roberta-base/config.json",
  "model_files/llama-3.1-8b-instruct/tokenizer_config.json",
  "imdb_aclImdb/test/{pos,neg}/*.txt",
  "mt_bench/question.jsonl",
  "sharegpt_ml-energy/*.json",
] as const;

/** The monorepo root: nearest ancestor of `from` whose package.json declares `workspaces`. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // an unreadable package.json is not the root; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The data directory (absolute path); see the module comment. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.EE_DATA_DIR;
  if (fromEnv) {
    const p = resolve(fromEnv);
    if (!isDir(p)) throw new Error(`EE_DATA_DIR=${fromEnv}: not a directory`);
    return p;
  }
  const root = findRepoRoot();
  const candidate = root ? resolve(root, "..", "shared", "datasets") : undefined;
  if (candidate && isDir(candidate)) return candidate;
  throw new Error(
    `data directory not found: set EE_DATA_DIR to the folder holding the public data mirror` +
      `${candidate ? ` (looked for ${candidate})` : ""}; expected files: ${EXPECTED_DATA_FILES.join(", ")}`,
  );
}

/** `rel` inside the data directory; an error naming the full path when the file is missing. */
export function dataFile(rel: string, dataDir: string = resolveDataDir()): string {
  const p = join(dataDir, rel);
  if (!existsSync(p))
    throw new Error(`data file ${p} not found (data directory ${dataDir}; set EE_DATA_DIR to change it)`);
  return p;
}

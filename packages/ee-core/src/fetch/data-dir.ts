/**
 * The one data-directory resolver (every package uses it). A data directory is a folder in the mirror
 * layout (`imdb_aclImdb/…`, `mt_bench/…`, `model_files/…`). In order: an explicit folder
 * (`--data-dir`), `EE_DATA_DIR`, the mirror `<repo>/../shared/datasets` when it exists, else the
 * cache's data view (`<EE_CACHE_DIR>/data`, filled by `ee fetch` / `acquireFiles`).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDataDir } from "./cache.js";
import { findRepoRoot } from "./repo-root.js";
import { fetchSettings } from "./settings.js";

/** Where a mirror was found. */
export type MirrorSource = "option" | "EE_DATA_DIR" | "beside-repo";

/** A mirror folder and where it came from. */
export interface Mirror {
  /** Absolute path. */
  dir: string;
  /** `option` (`--data-dir`), `EE_DATA_DIR`, or `beside-repo` (`<repo>/../shared/datasets`). */
  source: MirrorSource;
}

/** Options of the resolver. */
export interface DataDirOptions {
  /** An explicit folder (`--data-dir`); must exist. */
  explicit?: string;
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Repository root used for `../shared/datasets` (default: found from this file). */
  repoRoot?: string;
}

/** What goes where in a data directory, for error messages. */
export const DATA_LAYOUT = [
  "imdb_aclImdb/test/{pos,neg}/<id>_<rating>.txt   (IMDB, aclImdb layout)",
  "mt_bench/question.jsonl                          (MT-Bench questions)",
  "sharegpt_ml-energy/*.json                        (ShareGPT first-turn prompts)",
  "sharegpt_marugannwg/sampled_enriched_data/*.json (ShareGPT conversations)",
  "model_files/…                                    (tokenizer and config files)",
].join("\n  ");

/** The command that fills the cache from the pinned origins. */
export const FETCH_HINT = "npm run ee -- fetch --suite default";

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The mirror, or undefined when there is none. A named folder (option, EE_DATA_DIR) that is not a folder is an Error. */
export function findMirror(opts: DataDirOptions = {}): Mirror | undefined {
  const env = opts.env ?? process.env;
  if (opts.explicit !== undefined) {
    const dir = resolve(opts.explicit);
    if (!isDir(dir)) {
      throw new Error(
        `data directory ${dir} (from the --data-dir option) does not exist. Point --data-dir or EE_DATA_DIR at a folder holding:\n  ${DATA_LAYOUT}\nor leave both unset to use the cache (${FETCH_HINT}). See datasets/README.md.`,
      );
    }
    return { dir, source: "option" };
  }
  const fromEnv = env.EE_DATA_DIR;
  if (fromEnv !== undefined && fromEnv.length > 0) {
    const dir = resolve(fromEnv);
    if (!isDir(dir)) throw new Error(`EE_DATA_DIR=${fromEnv}: not a directory`);
    return { dir, source: "EE_DATA_DIR" };
  }
  const root = opts.repoRoot ?? findRepoRoot();
  const beside = root ? resolve(root, "..", "shared", "datasets") : undefined;
  if (beside && isDir(beside)) return { dir: beside, source: "beside-repo" };
  return undefined;
}

/**
 * A data directory readable now: the mirror, else the cache's data view when anything was fetched
 * into it. Otherwise an Error saying what to run.
 */
export function resolveDataDir(opts: DataDirOptions = {}): string {
  const mirror = findMirror(opts);
  if (mirror) return mirror.dir;
  const view = cacheDataDir(fetchSettings(opts.env ?? process.env));
  if (isDir(view) && readdirSync(view).length > 0) return view;
  throw new Error(
    `no data: no mirror (EE_DATA_DIR unset, no ../shared/datasets beside the repository) and nothing fetched into ${view}. Run \`${FETCH_HINT}\` (downloads the pinned files from their public origins), or set EE_DATA_DIR to a mirror. See datasets/README.md.`,
  );
}

/** `rel` inside `dataDir`; an Error naming the full path when the file is missing. */
export function dataFile(rel: string, dataDir: string = resolveDataDir()): string {
  const p = join(dataDir, rel);
  if (!existsSync(p)) {
    throw new Error(
      `data file ${p} not found (data directory ${dataDir}; run \`${FETCH_HINT}\` or set EE_DATA_DIR to change it)`,
    );
  }
  return p;
}

/**
 * The origins manifest (`datasets/origins.tsv`, committed): for every data file the suites and tests
 * read, its logical path (the mirror layout), size, sha256 and GitHub origin at a pinned commit.
 * Metadata only. Columns: path, bytes, sha256, origin_repo, origin_path, origin_commit.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FetchError } from "./errors.js";
import type { GithubOrigin } from "./origins.js";
import { findRepoRoot } from "./repo-root.js";

/** One pinned file. */
export interface PinnedFile {
  /** Logical path, relative to a data directory (mirror layout, POSIX). */
  path: string;
  /** Size (bytes). */
  bytes: number;
  /** sha256 of the bytes (64 lowercase hex). */
  sha256: string;
  /** Where the exact bytes are published. */
  origin: GithubOrigin;
}

/** The parsed manifest: files by logical path, in file order. */
export interface OriginsManifest {
  /** The manifest file (absolute path). */
  file: string;
  /** Files by logical path. */
  files: ReadonlyMap<string, PinnedFile>;
}

/** Header the manifest must start with. */
export const ORIGINS_COLUMNS = ["path", "bytes", "sha256", "origin_repo", "origin_path", "origin_commit"];

/** `<repo>/datasets/origins.tsv`. */
export function defaultOriginsManifestPath(): string {
  const root = findRepoRoot();
  if (!root)
    throw new Error("origins manifest: not inside the repository checkout (no package.json with workspaces)");
  return join(root, "datasets", "origins.tsv");
}

/** Parses manifest text; errors name the file and line. Also reads MANIFEST.tsv (same first six columns). */
export function parseOriginsManifest(text: string, file: string): OriginsManifest {
  const lines = text.split("\n");
  const header = lines[0]?.split("\t") ?? [];
  if (ORIGINS_COLUMNS.some((c, i) => header[i] !== c)) {
    throw new Error(`${file}:1: header must start with ${ORIGINS_COLUMNS.join("<TAB>")}`);
  }
  const files = new Map<string, PinnedFile>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "" || line.startsWith("#")) continue;
    const [path, bytes, sha256, repo, originPath, commit] = line.split("\t");
    const bad = (what: string): never => {
      throw new Error(`${file}:${i + 1}: ${what}`);
    };
    if (!path || path.startsWith("/") || path.split("/").includes("..")) bad(`bad path "${path}"`);
    if (!/^\d+$/.test(bytes ?? "")) bad(`bytes "${bytes}" is not a whole number`);
    if (!/^[0-9a-f]{64}$/.test(sha256 ?? "")) bad(`sha256 "${sha256}" is not 64 lowercase hex digits`);
    if (!/^[\w.-]+\/[\w.-]+$/.test(repo ?? "")) bad(`origin_repo "${repo}" is not owner/name`);
    if (!originPath) bad("origin_path is empty");
    if (!/^[0-9a-f]{40}$/.test(commit ?? "")) bad(`origin_commit "${commit}" is not a 40-hex commit`);
    files.set(path, {
      path,
      bytes: Number(bytes),
      sha256,
      origin: { kind: "github", repo, path: originPath, commit },
    });
  }
  return { file, files };
}

const loaded = new Map<string, OriginsManifest>();

/** Loads (once per process) the manifest at `file` (default `<repo>/datasets/origins.tsv`). */
export function loadOriginsManifest(file: string = defaultOriginsManifestPath()): OriginsManifest {
  const hit = loaded.get(file);
  if (hit) return hit;
  if (!existsSync(file)) throw new Error(`origins manifest ${file} does not exist`);
  const m = parseOriginsManifest(readFileSync(file, "utf8"), file);
  loaded.set(file, m);
  return m;
}

/**
 * The pinned files a logical path names: the file itself, or every file under it when it is a folder
 * (`imdb_aclImdb`, `imdb_aclImdb/test/pos`). An error when the manifest knows neither.
 */
export function expandPath(manifest: OriginsManifest, logical: string): PinnedFile[] {
  const clean = logical.replace(/\/+$/, "");
  const exact = manifest.files.get(clean);
  if (exact) return [exact];
  const prefix = `${clean}/`;
  const under = [...manifest.files.values()].filter((f) => f.path.startsWith(prefix));
  if (under.length === 0) {
    throw new FetchError(
      "unknown-file",
      `${logical}: no such file or folder in the origins manifest ${manifest.file}`,
    );
  }
  return under;
}

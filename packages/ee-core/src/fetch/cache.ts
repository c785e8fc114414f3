/**
 * The cache of non-Hub origins (`EE_CACHE_DIR`, default ~/.cache/ee-bench): content-addressed blobs
 * (`blobs/<sha256>`) and a data view in the mirror layout (`data/<logical path>` → symlink to its
 * blob), so the view is itself a data directory. A pinned sha256 names the blob, so a file whose pin
 * changes is fetched again instead of being served stale.
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { PinnedFile } from "./manifest.js";
import type { FetchSettings } from "./settings.js";

/** `<cacheDir>/data`: the data view in the mirror layout. */
export function cacheDataDir(s: FetchSettings): string {
  return join(s.cacheDir, "data");
}

/** `<cacheDir>/blobs/<sha256>`. */
export function blobPath(s: FetchSettings, sha256: string): string {
  return join(s.cacheDir, "blobs", sha256);
}

function sizeOf(p: string): number | undefined {
  try {
    return statSync(p).size;
  } catch {
    return undefined;
  }
}

/** Points `link` at `target` (a relative symlink), replacing whatever was there. */
export function linkFile(link: string, target: string): void {
  mkdirSync(dirname(link), { recursive: true });
  const rel = relative(dirname(link), target);
  try {
    const st = lstatSync(link);
    if (st.isSymbolicLink() && readlinkSync(link) === rel) return;
    unlinkSync(link);
  } catch {
    // nothing there yet
  }
  try {
    symlinkSync(rel, link);
  } catch (e) {
    // another process linked it at the same moment: fine when it points at the same target
    if ((e as NodeJS.ErrnoException).code !== "EEXIST" || readlinkSync(link) !== rel) throw e;
  }
}

/**
 * The cached copy of `file` in the data view (linking it from its blob when only the blob is there),
 * or undefined when the cache does not hold it. Checks the blob's name (sha256) and size.
 */
export function cachedFile(s: FetchSettings, file: PinnedFile): string | undefined {
  const view = join(cacheDataDir(s), file.path);
  const blob = blobPath(s, file.sha256);
  if (sizeOf(blob) !== file.bytes) return undefined;
  if (existsSync(view)) {
    try {
      if (lstatSync(view).isSymbolicLink() && basename(readlinkSync(view)) === file.sha256) return view;
    } catch {
      // fall through and relink
    }
  }
  linkFile(view, blob);
  return view;
}

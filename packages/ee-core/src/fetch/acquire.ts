/**
 * Acquisition of logical data files (mirror-layout paths such as `mt_bench/question.jsonl` or a folder
 * such as `imdb_aclImdb`). Each file is looked up in order: the mirror (`--data-dir`, `EE_DATA_DIR`,
 * `<repo>/../shared/datasets`) → the cache → its pinned origin (downloaded, verified, cached).
 * The answer is one data directory holding every asked file: the mirror when it held them all, else
 * the cache's data view (mirror files are linked into it).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { blobPath, cacheDataDir, cachedFile, linkFile } from "./cache.js";
import { FETCH_HINT, findMirror, type Mirror } from "./data-dir.js";
import { downloadFile } from "./download.js";
import { FetchError } from "./errors.js";
import { expandPath, loadOriginsManifest, type OriginsManifest, type PinnedFile } from "./manifest.js";
import { originUrl } from "./origins.js";
import { Progress, type ProgressSink } from "./progress.js";
import { type FetchSettings, fetchSettings } from "./settings.js";

/** Where a file was found. */
export type FileSource = "mirror" | "cache" | "origin";

/** Options of `acquireFiles`. */
export interface AcquireOptions {
  /** Settings (default `fetchSettings()`). */
  settings?: FetchSettings;
  /** An explicit data directory (`--data-dir`); else EE_DATA_DIR / `../shared/datasets`. */
  dataDir?: string;
  /** The mirror to use; `null` for none (default: `findMirror`). */
  mirror?: Mirror | null;
  /** The origins manifest (default `datasets/origins.tsv`). */
  manifest?: OriginsManifest;
  /** Parallel downloads (default 8). */
  concurrency?: number;
  /** Where progress lines go (default none). */
  progress?: ProgressSink;
  /** Attempts per file (default 6). */
  attempts?: number;
  /** First retry backoff (ms, default 500). */
  backoffMs?: number;
}

/** Count and size of a group of files. */
export interface FileTally {
  /** Files (count). */
  files: number;
  /** Their size (bytes). */
  bytes: number;
}

/** What `acquireFiles` did. */
export interface AcquireReport {
  /** A data directory holding every asked file (absolute). */
  root: string;
  /** The mirror used, if any. */
  mirror: Mirror | undefined;
  /** Every file asked, after folders were expanded. */
  total: FileTally;
  /** Files by where they came from. */
  bySource: Record<FileSource, FileTally>;
  /** Bytes sent over the network (bytes; less than `bySource.origin.bytes` after a resume). */
  transferredBytes: number;
}

/** One file to acquire: pinned (known origin) or only present in the mirror. */
type Wanted = { path: string; pinned: PinnedFile | undefined };

function expandAll(
  paths: readonly string[],
  manifest: OriginsManifest,
  mirror: Mirror | undefined,
): Wanted[] {
  const out = new Map<string, Wanted>();
  for (const p of paths) {
    let pinned: PinnedFile[];
    try {
      pinned = expandPath(manifest, p);
    } catch (e) {
      if (mirror && existsSync(join(mirror.dir, p))) {
        out.set(p, { path: p, pinned: undefined }); // a local-only file or folder (e.g. a test fixture)
        continue;
      }
      throw e;
    }
    for (const f of pinned) out.set(f.path, { path: f.path, pinned: f });
  }
  return [...out.values()];
}

/** Runs `fn` on every item, `n` at a time; after the first failure no new item is started. */
async function runPool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

/** Acquires `paths` (files or folders, mirror layout); see the module comment. */
export async function acquireFiles(
  paths: readonly string[],
  opts: AcquireOptions = {},
): Promise<AcquireReport> {
  const s = opts.settings ?? fetchSettings();
  const mirror = opts.mirror === null ? undefined : (opts.mirror ?? findMirror({ explicit: opts.dataDir }));
  const manifest = opts.manifest ?? loadOriginsManifest();
  const wanted = expandAll(paths, manifest, mirror);
  const tally = (): FileTally => ({ files: 0, bytes: 0 });
  const bySource: Record<FileSource, FileTally> = { mirror: tally(), cache: tally(), origin: tally() };
  const count = (src: FileSource, bytes: number) => {
    bySource[src].files += 1;
    bySource[src].bytes += bytes;
  };
  const fromMirror: Wanted[] = [];
  const toFetch: PinnedFile[] = [];
  for (const w of wanted) {
    if (mirror && existsSync(join(mirror.dir, w.path))) {
      fromMirror.push(w);
      count("mirror", w.pinned?.bytes ?? 0);
    } else if (w.pinned && cachedFile(s, w.pinned)) {
      count("cache", w.pinned.bytes);
    } else if (w.pinned) {
      toFetch.push(w.pinned);
    }
  }
  if (toFetch.length > 0 && s.offline) {
    const names = toFetch.slice(0, 3).map((f) => f.path);
    throw new FetchError(
      "offline",
      `offline (HF_HUB_OFFLINE/EE_OFFLINE/--offline) and ${toFetch.length} file(s) are in neither the mirror nor the cache (${s.cacheDir}): ${names.join(", ")}${toFetch.length > 3 ? ", …" : ""}. Run \`${FETCH_HINT}\` once with network, or set EE_DATA_DIR to a mirror.`,
    );
  }
  let transferredBytes = 0;
  if (toFetch.length > 0) {
    const total = toFetch.reduce((a, f) => a + f.bytes, 0);
    const progress = new Progress(opts.progress, total, toFetch.length, `fetching from ${s.githubRawUrl}`);
    await runPool(toFetch, opts.concurrency ?? 8, async (f) => {
      const r = await downloadFile(originUrl(f.origin, s), blobPath(s, f.sha256), {
        label: f.path,
        expected: { bytes: f.bytes, sha256: f.sha256 },
        attempts: opts.attempts,
        backoffMs: opts.backoffMs,
        onBytes: (n) => progress.add(n),
      });
      transferredBytes += r.transferredBytes;
      if (!r.downloaded) progress.add(f.bytes); // another process fetched it while this one waited
      linkFile(join(cacheDataDir(s), f.path), blobPath(s, f.sha256));
      count(r.downloaded ? "origin" : "cache", f.bytes);
      progress.fileDone();
    });
    progress.finish();
  }
  const allMirror = mirror !== undefined && fromMirror.length === wanted.length;
  if (mirror && !allMirror) {
    for (const w of fromMirror) linkFile(join(cacheDataDir(s), w.path), join(mirror.dir, w.path));
  }
  const root = allMirror ? mirror.dir : cacheDataDir(s);
  const totalBytes = wanted.reduce((a, w) => a + (w.pinned?.bytes ?? 0), 0);
  return { root, mirror, total: { files: wanted.length, bytes: totalBytes }, bySource, transferredBytes };
}

/** One logical file's local path (acquiring it first when needed). */
export async function acquireFile(path: string, opts: AcquireOptions = {}): Promise<string> {
  const r = await acquireFiles([path], opts);
  return join(r.root, path);
}

/**
 * Hugging Face Hub files in the Hub's own cache layout, shared with the Python tools:
 * `<HF_HOME>/hub/models--owner--name/{blobs/<etag>, snapshots/<commit>/<path> → blob, refs/<rev>}`.
 * A file is resolved with a HEAD on `{endpoint}/{repo}/resolve/{rev}/{path}` (no redirect follow):
 * `X-Repo-Commit` names the snapshot, `X-Linked-Etag`/`ETag` the blob (a sha256 for LFS files, a
 * git blob id for small ones; both are verified), then the bytes come through the downloader.
 * The sha256 of every file downloaded is recorded on first download in
 * `<EE_CACHE_DIR>/hub-sha256/<repo folder>/<commit>.tsv` (the Hub publishes none for small files).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { linkFile } from "./cache.js";
import { downloadFile } from "./download.js";
import { FetchError, gatedMessage } from "./errors.js";
import { type HubOrigin, type HubRef, originUrl } from "./origins.js";
import { formatBytes, type ProgressSink } from "./progress.js";
import { type FetchSettings, fetchSettings } from "./settings.js";

/** Model files tried besides the weights; absent ones (404) are fine. */
export const HUB_OPTIONAL_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "generation_config.json",
] as const;

/** Weight layouts, in the order they are tried: [index file or undefined, single file]. */
const WEIGHT_LAYOUTS: ReadonlyArray<readonly [string, string]> = [
  ["model.safetensors.index.json", "model.safetensors"],
  ["pytorch_model.bin.index.json", "pytorch_model.bin"],
];

/** Options of `hubSnapshot`. */
export interface HubSnapshotOptions {
  /** Settings (default `fetchSettings()`). */
  settings?: FetchSettings;
  /** `model` (default) or `dataset`. */
  repoType?: "model" | "dataset";
  /** Files to get; default: a model's config.json, weights (sharded or not) and tokenizer files. */
  files?: readonly string[];
  /** Where per-file lines go (default none). */
  progress?: ProgressSink;
  /** Attempts per request (default 6). */
  attempts?: number;
  /** First retry backoff (ms, default 500). */
  backoffMs?: number;
}

/** A local snapshot folder. */
export interface HubSnapshot {
  /** `<HF_HOME>/hub/<repo folder>/snapshots/<commit>` (absolute). */
  dir: string;
  /** The commit the revision resolved to (40 hex). */
  commit: string;
  /** Files now in the snapshot that were asked or found (repository paths). */
  files: string[];
  /** Files already in the cache (count). */
  cachedFiles: number;
  /** Files downloaded by this call (count). */
  downloadedFiles: number;
  /** Bytes sent over the network (bytes). */
  transferredBytes: number;
}

/** `models--owner--name` / `datasets--owner--name`. */
export function hubRepoFolderName(repo: string, repoType: "model" | "dataset" = "model"): string {
  return `${repoType}s--${repo.split("/").join("--")}`;
}

/** `<HF_HOME>/hub/<repo folder>`. */
export function hubRepoDir(s: FetchSettings, repo: string, repoType: "model" | "dataset" = "model"): string {
  return join(s.hfHome, "hub", hubRepoFolderName(repo, repoType));
}

const isCommit = (rev: string) => /^[0-9a-f]{40}$/.test(rev);

/** The commit a revision resolves to in the cache (`refs/<rev>`), or undefined. */
export function cachedCommit(
  s: FetchSettings,
  ref: HubRef,
  repoType: "model" | "dataset" = "model",
): string | undefined {
  if (isCommit(ref.revision)) return ref.revision;
  const f = join(hubRepoDir(s, ref.repo, repoType), "refs", ref.revision);
  return existsSync(f) ? readFileSync(f, "utf8").trim() : undefined;
}

/** What a HEAD on `resolve` says about a file. */
interface FileMeta {
  commit: string;
  etag: string;
  bytes: number | undefined;
  downloadUrl: string;
}

function cleanEtag(v: string | null): string | undefined {
  return v?.replace(/^W\//, "").replace(/"/g, "") || undefined;
}

function authFor(s: FetchSettings, url: string): Record<string, string> {
  return s.hfToken && url.startsWith(s.hfEndpoint) ? { Authorization: `Bearer ${s.hfToken}` } : {};
}

/** HEAD `resolve`; undefined for a 404 when `optional`. Retries 429/5xx and network errors. */
async function headFile(
  s: FetchSettings,
  origin: HubOrigin,
  optional: boolean,
  attempts: number,
  backoffMs: number,
): Promise<FileMeta | undefined> {
  const url = originUrl(origin, s);
  const label = `${origin.repo}/${origin.path}`;
  let last = "";
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(backoffMs * 2 ** (i - 1));
    let res: Response;
    try {
      res = await fetch(url, { method: "HEAD", redirect: "manual", headers: authFor(s, url) });
    } catch (e) {
      last = `cannot reach ${url} (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`;
      continue;
    }
    await res.body?.cancel(); // a HEAD has none, but a proxy may add one; free the connection
    if (res.status === 401 || res.status === 403) {
      throw new FetchError(
        "gated",
        gatedMessage(origin.repo, res.status, s.hfEndpoint, s.hfToken !== undefined),
        res.status,
      );
    }
    if (res.status === 404) {
      if (optional) return undefined;
      throw new FetchError("not-found", `${label}: not found on the Hub (HTTP 404 from ${url})`, 404);
    }
    if (res.status === 429 || res.status >= 500) {
      last = `HTTP ${res.status} from ${url}`;
      continue;
    }
    const redirected = res.status >= 300 && res.status < 400;
    if (!redirected && res.status !== 200)
      throw new FetchError("http", `${label}: HTTP ${res.status} from ${url}`, res.status);
    const commit =
      res.headers.get("x-repo-commit") ?? (isCommit(origin.revision) ? origin.revision : undefined);
    const etag = cleanEtag(res.headers.get("x-linked-etag")) ?? cleanEtag(res.headers.get("etag"));
    if (!commit || !etag) {
      throw new FetchError(
        "http",
        `${label}: the Hub answer from ${url} has no X-Repo-Commit/ETag header; cannot place it in the cache`,
      );
    }
    const size = res.headers.get("x-linked-size") ?? (redirected ? null : res.headers.get("content-length"));
    const location = res.headers.get("location");
    const downloadUrl = redirected && location ? new URL(location, url).toString() : url;
    return { commit, etag, bytes: size !== null ? Number(size) : undefined, downloadUrl };
  }
  throw new FetchError("network", `${label}: ${last} (gave up after ${attempts} attempts)`);
}

/** Records a downloaded file's sha256 beside the cache (first download only). */
function recordSha256(
  s: FetchSettings,
  folder: string,
  commit: string,
  path: string,
  bytes: number,
  sha256: string,
) {
  const f = join(s.cacheDir, "hub-sha256", folder, `${commit}.tsv`);
  mkdirSync(dirname(f), { recursive: true });
  const seen = existsSync(f) ? readFileSync(f, "utf8") : "";
  if (!seen.split("\n").some((l) => l.startsWith(`${path}\t`)))
    appendFileSync(f, `${path}\t${bytes}\t${sha256}\n`);
}

/** Context of one snapshot resolution. */
interface Ctx {
  s: FetchSettings;
  ref: HubRef;
  repoType: "model" | "dataset";
  repoDir: string;
  attempts: number;
  backoffMs: number;
  progress: ProgressSink | undefined;
  out: HubSnapshot;
}

/** Gets one file into the snapshot; false when optional and absent. */
async function getFile(c: Ctx, path: string, optional: boolean): Promise<boolean> {
  const origin: HubOrigin = {
    kind: "hub",
    repoType: c.repoType,
    repo: c.ref.repo,
    revision: c.ref.revision,
    path,
  };
  const meta = await headFile(c.s, origin, optional, c.attempts, c.backoffMs);
  if (!meta) return false;
  if (c.out.commit === "") c.out.commit = meta.commit;
  const snapPath = join(c.repoDir, "snapshots", meta.commit, path);
  const blob = join(c.repoDir, "blobs", meta.etag);
  if (existsSync(blob)) {
    linkFile(snapPath, blob);
    c.out.cachedFiles += 1;
    c.out.files.push(path);
    return true;
  }
  const expected = /^[0-9a-f]{64}$/.test(meta.etag)
    ? { sha256: meta.etag, bytes: meta.bytes }
    : /^[0-9a-f]{40}$/.test(meta.etag)
      ? { gitBlobSha1: meta.etag, bytes: meta.bytes }
      : { bytes: meta.bytes };
  const r = await downloadFile(meta.downloadUrl, blob, {
    label: `${c.ref.repo}/${path}`,
    headers: authFor(c.s, meta.downloadUrl),
    expected,
    attempts: c.attempts,
    backoffMs: c.backoffMs,
    gatedMessage: (st) => gatedMessage(c.ref.repo, st, c.s.hfEndpoint, c.s.hfToken !== undefined),
  });
  linkFile(snapPath, blob);
  if (r.downloaded) {
    c.out.downloadedFiles += 1;
    c.out.transferredBytes += r.transferredBytes;
    recordSha256(c.s, hubRepoFolderName(c.ref.repo, c.repoType), meta.commit, path, r.bytes, r.sha256);
    c.progress?.write(
      `  ${c.ref.repo}/${path}: ${formatBytes(r.bytes)} from ${c.s.hfEndpoint}, sha256 ${r.sha256} recorded\n`,
    );
  } else {
    c.out.cachedFiles += 1;
  }
  c.out.files.push(path);
  return true;
}

/** A model's files: weights (index + shards, or one file) and the optional tokenizer files. */
async function getModelFiles(c: Ctx): Promise<void> {
  let found = false;
  for (const [index, single] of WEIGHT_LAYOUTS) {
    if (await getFile(c, index, true)) {
      const idx = JSON.parse(readFileSync(join(c.repoDir, "snapshots", c.out.commit, index), "utf8")) as {
        weight_map?: Record<string, string>;
      };
      const shards = [...new Set(Object.values(idx.weight_map ?? {}))].sort();
      if (shards.length === 0) throw new Error(`${c.ref.repo}/${index}: no weight_map entries`);
      for (const shard of shards) await getFile(c, shard, false);
      found = true;
      break;
    }
    if (await getFile(c, single, true)) {
      found = true;
      break;
    }
  }
  if (!found) {
    throw new FetchError(
      "not-found",
      `${c.ref.repo}@${c.ref.revision}: no weights found (looked for ${WEIGHT_LAYOUTS.flat().join(", ")})`,
    );
  }
  for (const f of HUB_OPTIONAL_FILES) await getFile(c, f, true);
}

/**
 * A local snapshot folder of `ref` (downloading what the cache lacks). Offline, the cached snapshot
 * is returned, or an Error saying it is not cached.
 */
export async function hubSnapshot(ref: HubRef, opts: HubSnapshotOptions = {}): Promise<HubSnapshot> {
  const s = opts.settings ?? fetchSettings();
  const repoType = opts.repoType ?? "model";
  const repoDir = hubRepoDir(s, ref.repo, repoType);
  const out: HubSnapshot = {
    dir: "",
    commit: "",
    files: [],
    cachedFiles: 0,
    downloadedFiles: 0,
    transferredBytes: 0,
  };
  if (s.offline) {
    const commit = cachedCommit(s, ref, repoType);
    const dir = commit ? join(repoDir, "snapshots", commit) : undefined;
    const need = opts.files ?? ["config.json"];
    const missing = dir ? need.filter((f) => !existsSync(join(dir, f))) : need;
    if (!dir || !commit || missing.length > 0) {
      throw new FetchError(
        "offline",
        `offline (HF_HUB_OFFLINE/--offline) and hf:${ref.repo}@${ref.revision} is not in the Hub cache ${repoDir}${missing.length > 0 ? ` (missing ${missing.join(", ")})` : ""}. Run \`npm run ee -- fetch --model hf:${ref.repo}@${ref.revision}\` once with network.`,
      );
    }
    return { ...out, dir, commit, files: [...need], cachedFiles: need.length };
  }
  const c: Ctx = {
    s,
    ref,
    repoType,
    repoDir,
    attempts: opts.attempts ?? 6,
    backoffMs: opts.backoffMs ?? 500,
    progress: opts.progress,
    out,
  };
  if (opts.files) {
    for (const f of opts.files) await getFile(c, f, false);
  } else {
    await getFile(c, "config.json", false);
    await getModelFiles(c);
  }
  out.dir = join(repoDir, "snapshots", out.commit);
  if (!isCommit(ref.revision)) {
    const refFile = join(repoDir, "refs", ref.revision);
    mkdirSync(dirname(refFile), { recursive: true });
    writeFileSync(refFile, out.commit);
  }
  return out;
}

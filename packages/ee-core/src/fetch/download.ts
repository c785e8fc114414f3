/**
 * The downloader: one URL to one file. Bytes go to `<dest>.incomplete`; after a cut the next attempt
 * asks for the rest with an HTTP Range; the finished file is verified (size, sha256, or a git blob id)
 * and only then renamed to `dest`. A mismatch keeps nothing. 429/5xx and network errors are retried
 * with exponential backoff; 401/403/404 are not. A lock file makes concurrent callers share one download.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FetchError } from "./errors.js";
import { withFileLock } from "./lock.js";

/** What the finished file must be. */
export interface Expected {
  /** Size (bytes). */
  bytes?: number;
  /** sha256 (hex). */
  sha256?: string;
  /** Git blob id (sha1 of `blob <n>\0` + bytes, hex): what the Hub gives as the ETag of small files. */
  gitBlobSha1?: string;
}

/** Options of one download. */
export interface DownloadOptions {
  /** Name shown in messages (the logical path or `repo/path`). */
  label: string;
  /** Request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Checks on the finished file. */
  expected?: Expected;
  /** Attempts in all (default 6). */
  attempts?: number;
  /** First backoff (ms), doubled each retry (default 500). */
  backoffMs?: number;
  /** Called with each chunk's size (bytes) as it arrives. */
  onBytes?: (n: number) => void;
  /** Message for a 401/403 (default: a plain HTTP line). */
  gatedMessage?: (status: number) => string;
}

/** What a download did. */
export interface DownloadResult {
  /** Size of the file (bytes). */
  bytes: number;
  /** sha256 of the file (hex). */
  sha256: string;
  /** Bytes transferred over the network by this call (bytes). */
  transferredBytes: number;
  /** Bytes a previous cut attempt had left, reused through a Range request (bytes). */
  resumedBytes: number;
  /** Requests made (1 = no retry). */
  requests: number;
  /** False when another process had finished the file while this one waited for the lock. */
  downloaded: boolean;
}

function sizeOf(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

async function hashFile(p: string): Promise<{ sha256: string; gitBlobSha1: string; bytes: number }> {
  const bytes = sizeOf(p);
  const sha = createHash("sha256");
  const git = createHash("sha1").update(`blob ${bytes}\0`);
  for await (const chunk of createReadStream(p)) {
    sha.update(chunk as Buffer);
    git.update(chunk as Buffer);
  }
  return { sha256: sha.digest("hex"), gitBlobSha1: git.digest("hex"), bytes };
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Delay before the next attempt: Retry-After when the server gave one (capped at 30 s), else backoff. */
function delayMs(res: Response | undefined, attempt: number, backoffMs: number): number {
  const ra = res?.headers.get("retry-after");
  if (ra && /^\d+$/.test(ra)) return Math.min(Number(ra) * 1000, 30_000);
  return backoffMs * 2 ** attempt;
}

/** Streams `res`'s body onto the end of `tmp`. Throws (keeping what was written) when the connection is cut. */
async function appendBody(res: Response, tmp: string, onBytes?: (n: number) => void): Promise<number> {
  const fh = await open(tmp, "a");
  let n = 0;
  try {
    if (!res.body) return 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      await fh.write(chunk);
      n += chunk.length;
      onBytes?.(chunk.length);
    }
  } finally {
    await fh.close();
  }
  return n;
}

/** Checks the finished temp file; on a mismatch deletes it and throws naming the file and both values. */
async function verify(tmp: string, label: string, expected: Expected | undefined) {
  const got = await hashFile(tmp);
  const fail = (what: string, want: string | number, have: string | number): never => {
    unlinkSync(tmp);
    throw new FetchError(
      "checksum",
      `${label}: ${what} mismatch — expected ${want}, got ${have}; nothing was kept`,
    );
  };
  if (expected?.bytes !== undefined && got.bytes !== expected.bytes) fail("size", expected.bytes, got.bytes);
  if (expected?.sha256 && got.sha256 !== expected.sha256) fail("sha256", expected.sha256, got.sha256);
  if (expected?.gitBlobSha1 && got.gitBlobSha1 !== expected.gitBlobSha1)
    fail("git blob id", expected.gitBlobSha1, got.gitBlobSha1);
  return got;
}

/** One attempt's outcome. */
type Attempt = { done: true } | { done: false; res?: Response; error: FetchError };

async function attemptOnce(
  url: string,
  tmp: string,
  opts: DownloadOptions,
  counters: { transferred: number },
) {
  const have = sizeOf(tmp);
  const headers: Record<string, string> = { ...opts.headers };
  if (have > 0) headers.Range = `bytes=${have}-`;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return {
      done: false,
      error: new FetchError(
        "network",
        `${opts.label}: cannot reach ${url} (${cause?.code ?? cause?.message ?? (e as Error).message})`,
      ),
    } satisfies Attempt;
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    const msg = opts.gatedMessage?.(res.status) ?? `${opts.label}: HTTP ${res.status} from ${url}`;
    throw new FetchError("gated", msg, res.status);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new FetchError("not-found", `${opts.label}: not found at its origin (HTTP 404 from ${url})`, 404);
  }
  if (res.status === 416 && have > 0) {
    // the partial file is already whole (or longer than the file): start over
    await res.body?.cancel();
    unlinkSync(tmp);
    return {
      done: false,
      res,
      error: new FetchError("http", `${opts.label}: HTTP 416 for a resume`, 416),
    } satisfies Attempt;
  }
  if (retryable(res.status) || (res.status !== 200 && res.status !== 206)) {
    await res.body?.cancel();
    const error = new FetchError("http", `${opts.label}: HTTP ${res.status} from ${url}`, res.status);
    if (!retryable(res.status)) throw error;
    return { done: false, res, error } satisfies Attempt;
  }
  if (res.status === 200 && have > 0) unlinkSync(tmp); // the server ignored the Range: whole file again
  try {
    await appendBody(res, tmp, (n) => {
      counters.transferred += n;
      opts.onBytes?.(n);
    });
  } catch (e) {
    return {
      done: false,
      error: new FetchError(
        "network",
        `${opts.label}: connection cut after ${sizeOf(tmp)} bytes (${(e as Error).message})`,
      ),
    } satisfies Attempt;
  }
  if (opts.expected?.bytes !== undefined && sizeOf(tmp) < opts.expected.bytes) {
    return {
      done: false,
      error: new FetchError(
        "network",
        `${opts.label}: body ended after ${sizeOf(tmp)} of ${opts.expected.bytes} bytes`,
      ),
    } satisfies Attempt;
  }
  return { done: true } satisfies Attempt;
}

/**
 * Downloads `url` to `dest` (see the module comment). When `dest` already exists (another process
 * finished it while this one waited), it is returned without a request.
 */
export async function downloadFile(
  url: string,
  dest: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  mkdirSync(dirname(dest), { recursive: true });
  return withFileLock(`${dest}.lock`, async () => {
    if (existsSync(dest)) {
      const h = await hashFile(dest);
      return {
        bytes: h.bytes,
        sha256: h.sha256,
        transferredBytes: 0,
        resumedBytes: 0,
        requests: 0,
        downloaded: false,
      };
    }
    const tmp = `${dest}.incomplete`;
    const resumedBytes = sizeOf(tmp);
    const attempts = opts.attempts ?? 6;
    const backoffMs = opts.backoffMs ?? 500;
    const counters = { transferred: 0 };
    let last: FetchError | undefined;
    for (let i = 0; i < attempts; i++) {
      const r: Attempt = await attemptOnce(url, tmp, opts, counters);
      if (r.done) {
        const got = await verify(tmp, opts.label, opts.expected);
        renameSync(tmp, dest);
        return {
          bytes: got.bytes,
          sha256: got.sha256,
          transferredBytes: counters.transferred,
          resumedBytes,
          requests: i + 1,
          downloaded: true,
        };
      }
      last = r.error;
      if (i + 1 < attempts) await sleep(delayMs(r.res, i, backoffMs));
    }
    throw new FetchError(
      last?.kind ?? "network",
      `${last?.message ?? opts.label} (gave up after ${attempts} attempts${sizeOf(tmp) > 0 ? `; the ${sizeOf(tmp)} bytes received are kept for a resume` : ""})`,
      last?.status,
    );
  });
}

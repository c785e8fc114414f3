/**
 * The client's digest cache: SHA-256 of model files remembered by their stat, like git's index, so
 * that opening an encrypted folder again does not re-read every ee.json-bound file (16 GB for an 8B
 * model). One JSON file in the user's cache dir (`<EE_CACHE_DIR>/file-digests.json`, default
 * ~/.cache/ee-bench; never inside the model folder), keyed by absolute path; an entry is reused only
 * while the file's size, mtime (ns), ctime (ns), inode and device are all unchanged, else the file is
 * hashed again and the entry replaced.
 *
 * Trade-off: an edit that keeps the size and restores both mtime and ctime is not seen (restoring the
 * mtime with `touch -d` or utimes moves the ctime, which only a changed system clock or a raw write to
 * the block device avoids), and whoever can write the cache file can vouch for any content. A file
 * changed within `racyWindowMs` of being hashed is not remembered (a coarse-timestamp file system could
 * show it unchanged after a second write in the same tick), as git treats racily clean entries.
 * `EE_VERIFY_FULL=1` (or `ee infer --verify-full`) hashes every file again and refreshes the entries.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fetchSettings } from "ee-core";

/** File name of the cache inside the cache dir. */
export const DIGEST_CACHE_FILE = "file-digests.json";

/** Format version of the cache file; another version is ignored (and rewritten). */
const CACHE_VERSION = 1;

/** A file's identity as stat reports it: unchanged stamp ⇒ unchanged content (by assumption). */
interface FileStamp {
  /** Size (bytes, decimal string). */
  size: string;
  /** Last modification (ns since the epoch, decimal string). */
  mtimeNs: string;
  /** Last status change (ns since the epoch, decimal string). */
  ctimeNs: string;
  /** Inode number (decimal string). */
  ino: string;
  /** Device id (decimal string). */
  dev: string;
}

/** One cache entry: the stamp the digest was computed under. */
interface DigestEntry extends FileStamp {
  /** SHA-256 of the content (hex). */
  sha256: string;
}

/** Counts of this process's digest lookups (for tests and progress lines). */
export interface DigestCounters {
  /** Files read and hashed (files). */
  hashedFiles: number;
  /** Bytes read to hash them (bytes). */
  hashedBytes: number;
  /** Lookups answered from the cache without reading (files). */
  reusedFiles: number;
}

const counters: DigestCounters = { hashedFiles: 0, hashedBytes: 0, reusedFiles: 0 };

/** A copy of this process's digest counters. */
export function digestCounters(): DigestCounters {
  return { ...counters };
}

/** Options of `FileDigests.open`. */
export interface FileDigestsOptions {
  /** The cache file (path); default `<fetchSettings().cacheDir>/file-digests.json`. */
  cacheFile?: string;
  /** Hash every file, ignoring remembered digests (entries are refreshed); default `EE_VERIFY_FULL`. */
  verifyFull?: boolean;
  /** A file changed less than this before hashing is not remembered (ms); default 2000. */
  racyWindowMs?: number;
}

/** True for `1`, `true`, `yes`, `on` (any case). */
function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** Whether `EE_VERIFY_FULL` asks for every digest to be recomputed. */
export function verifyFullFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return truthy(env.EE_VERIFY_FULL);
}

function stampOf(path: string): FileStamp {
  const s = statSync(path, { bigint: true });
  return {
    size: String(s.size),
    mtimeNs: String(s.mtimeNs),
    ctimeNs: String(s.ctimeNs),
    ino: String(s.ino),
    dev: String(s.dev),
  };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return (
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs &&
    a.ino === b.ino &&
    a.dev === b.dev
  );
}

/** SHA-256 (hex) of a file read in 8 MiB chunks, counted in the process's counters. */
function hashFile(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
      h.update(buf.subarray(0, n));
      counters.hashedBytes += n;
    }
  } finally {
    closeSync(fd);
  }
  counters.hashedFiles += 1;
  return h.digest("hex");
}

function isEntry(v: unknown): v is DigestEntry {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return ["size", "mtimeNs", "ctimeNs", "ino", "dev", "sha256"].every((k) => typeof o[k] === "string");
}

/** The entries of a cache file; an unreadable, malformed or other-version file counts as empty. */
function readEntries(cacheFile: string): Map<string, DigestEntry> {
  const out = new Map<string, DigestEntry>();
  if (!existsSync(cacheFile)) return out;
  try {
    const json = JSON.parse(readFileSync(cacheFile, "utf8")) as { version?: unknown; entries?: unknown };
    if (json.version !== CACHE_VERSION || typeof json.entries !== "object" || json.entries === null)
      return out;
    for (const [p, e] of Object.entries(json.entries as Record<string, unknown>))
      if (isEntry(e)) out.set(p, e);
  } catch {
    // a damaged cache is only a cache: start again
  }
  return out;
}

/** SHA-256 digests of files, remembered across processes by stat (see the module comment). */
export class FileDigests {
  private dirty = false;

  private constructor(
    /** The cache file (absolute path). */
    readonly cacheFile: string,
    private readonly entries: Map<string, DigestEntry>,
    private readonly verifyFull: boolean,
    private readonly racyWindowMs: number,
  ) {}

  /** Load the cache (a missing or damaged one is empty). */
  static open(opts: FileDigestsOptions = {}): FileDigests {
    const cacheFile = resolve(opts.cacheFile ?? join(fetchSettings().cacheDir, DIGEST_CACHE_FILE));
    return new FileDigests(
      cacheFile,
      readEntries(cacheFile),
      opts.verifyFull ?? verifyFullFromEnv(),
      opts.racyWindowMs ?? 2000,
    );
  }

  /** SHA-256 (hex) of `path`: the remembered digest while its stamp is unchanged, else read and hashed. */
  sha256(path: string): string {
    const abs = resolve(path);
    const before = stampOf(abs);
    const known = this.entries.get(abs);
    if (!this.verifyFull && known !== undefined && sameStamp(known, before)) {
      counters.reusedFiles += 1;
      return known.sha256;
    }
    const startedNs = BigInt(Date.now()) * 1_000_000n;
    const sha256 = hashFile(abs);
    const after = stampOf(abs);
    // Racily clean: a second write in the same timestamp tick would leave the mtime as it is now.
    const racy = BigInt(after.mtimeNs) + BigInt(this.racyWindowMs) * 1_000_000n > startedNs;
    if (sameStamp(before, after) && !racy) this.entries.set(abs, { ...after, sha256 });
    else this.entries.delete(abs);
    this.dirty = true;
    return sha256;
  }

  /**
   * Write the cache back when it changed (to a temporary file, then renamed: concurrent writers lose
   * entries, never corrupt the file), dropping entries of files that no longer exist. A cache that
   * cannot be written is skipped silently: the digests were still computed.
   */
  save(): void {
    if (!this.dirty) return;
    for (const p of [...this.entries.keys()]) if (!existsSync(p)) this.entries.delete(p);
    const json = { version: CACHE_VERSION, entries: Object.fromEntries(this.entries) };
    const tmp = `${this.cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.cacheFile), { recursive: true });
      writeFileSync(tmp, `${JSON.stringify(json)}\n`, { mode: 0o600 });
      renameSync(tmp, this.cacheFile);
      this.dirty = false;
    } catch {
      // read-only cache dir: every open hashes, as without a cache
      rmSync(tmp, { force: true });
    }
  }
}

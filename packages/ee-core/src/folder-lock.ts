/**
 * Advisory locks for a folder (or any path): a lock file holding the holder's pid, host and start
 * time, created atomically (written in full under a temporary name, then hard-linked into place,
 * which fails when a lock exists). A lock whose process is dead (same host) is stale and taken over.
 * A second writer waits up to `timeoutMs`, then fails with a message naming the holder.
 */
import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { processAlive } from "./process-alive.js";

/** Contents of a lock file. */
export interface LockHolder {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder. */
  host: string;
  /** ISO-8601 time the lock was taken. */
  startedAt: string;
  /** What the holder is doing (e.g. "ee run smoke"). */
  purpose: string;
}

/** Options of `acquireLock`. */
export interface LockOptions {
  /** What the lock protects, for messages (e.g. "run folder reports/x"). */
  what: string;
  /** What this process does, recorded in the lock file (default: the command line). */
  purpose?: string;
  /** How long to wait for a live holder (ms); default 0: fail at once. */
  timeoutMs?: number;
  /** Poll interval while waiting (ms); default 200. */
  pollMs?: number;
}

/** A held lock. */
export interface HeldLock {
  /** The lock file (path). */
  path: string;
  /** Release it (idempotent; only removes the file while it is still ours). */
  release(): void;
}

/** A lock held by another live process. */
export class LockedError extends Error {
  /** Who holds it (undefined when the lock file is unreadable). */
  readonly holder: LockHolder | undefined;
  constructor(message: string, holder: LockHolder | undefined) {
    super(message);
    this.name = "LockedError";
    this.holder = holder;
  }
}

/** The lock-file path used for `target`: `<target>.lock` beside it. */
export function lockPathFor(target: string): string {
  return join(dirname(target), `${basename(target)}.lock`);
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof o.pid === "number" && typeof o.host === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock at `path` (held by `h`) can be taken over: its process is gone. */
function isStale(path: string, h: LockHolder | undefined): boolean {
  if (h === undefined) {
    // Unreadable: written by something else, or a torn write; stale once it is a minute old.
    try {
      return Date.now() - statSync(path).mtimeMs > 60_000;
    } catch {
      return true;
    }
  }
  return h.host === hostname() && !processAlive(h.pid);
}

function describe(h: LockHolder | undefined): string {
  return h === undefined
    ? "an unknown process (unreadable lock file)"
    : `pid ${h.pid} on ${h.host} since ${h.startedAt} (${h.purpose})`;
}

function tryCreate(path: string, body: string): boolean {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, body);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Take the lock at `lockPath` over from a dead holder; false when someone else changed it first. */
function takeOverStale(lockPath: string, seen: string): boolean {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return false;
  }
  let text = "";
  try {
    text = readFileSync(aside, "utf8");
  } catch {}
  if (text !== seen) {
    // We moved a fresh lock aside: put it back (link fails if yet another one appeared).
    try {
      linkSync(aside, lockPath);
    } catch {}
    rmSync(aside, { force: true });
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Acquire the lock file `lockPath`; see the module comment. */
export async function acquireLock(lockPath: string, opts: LockOptions): Promise<HeldLock> {
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    purpose: opts.purpose ?? process.argv.slice(1).join(" "),
  };
  const body = `${JSON.stringify(me)}\n`;
  const deadline = Date.now() + (opts.timeoutMs ?? 0);
  for (;;) {
    if (tryCreate(lockPath, body)) break;
    let seen = "";
    try {
      seen = readFileSync(lockPath, "utf8");
    } catch {
      continue; // released between our attempts
    }
    const holder = readHolder(lockPath);
    if (isStale(lockPath, holder)) {
      takeOverStale(lockPath, seen);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new LockedError(
        `${opts.what} is locked by ${describe(holder)}; wait for it to finish (lock file ${lockPath}; remove it only if that process is gone)`,
        holder,
      );
    }
    await sleep(opts.pollMs ?? 200);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    try {
      if (readFileSync(lockPath, "utf8") === body) rmSync(lockPath, { force: true });
    } catch {}
  };
  process.on("exit", release);
  return { path: lockPath, release };
}

/** Run `fn` holding the lock at `lockPath`; released when `fn` settles. */
export async function withLock<T>(lockPath: string, opts: LockOptions, fn: () => Promise<T> | T): Promise<T> {
  const lock = await acquireLock(lockPath, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * Writes that never destroy: a file or a folder is written under a temporary sibling name, flushed
 * to disk (fsync), and renamed into place. An existing file or folder is refused unless `overwrite`
 * is given; then it is replaced by rename, so a reader sees the old or the new one, never a mix.
 *
 * Temporary siblings are named `.<name>.tmp-<pid>-<random>`; those of dead processes (a SIGKILL
 * mid-write) are removed by the next write of the same target and are never read as output.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { processAlive } from "./process-alive.js";

/** Options of the safe writes. */
export interface SafeWriteOptions {
  /** Replace an existing target (default false: refuse with an error naming it). */
  overwrite?: boolean;
  /** File mode of a written file (default 0o644). */
  mode?: number;
  /** What the target is, for messages (e.g. "key file", "model folder"); default "file"/"folder". */
  what?: string;
  /** How a user asks for replacement, appended to the refusal (default "pass --overwrite to replace it"). */
  hint?: string;
}

/** A refused write: the target exists and `overwrite` was not given. */
export class TargetExistsError extends Error {
  /** The existing target (absolute path). */
  readonly path: string;
  constructor(path: string, what: string, hint: string) {
    super(`${what} ${path} already exists; not replaced (${hint})`);
    this.name = "TargetExistsError";
    this.path = path;
  }
}

const DEFAULT_HINT = "pass --overwrite to replace it";

/** A fresh temporary sibling of `target` (absolute path). */
function tempSibling(target: string, tag: "tmp" | "old"): string {
  return join(
    dirname(target),
    `.${basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
}

/**
 * Removes temporary siblings of `target` left by processes that no longer run; a replaced version
 * whose successor never arrived is put back.
 */
export function removeStaleTemps(target: string): void {
  const dir = dirname(target);
  if (!existsSync(dir)) return;
  const prefix = `.${basename(target)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(tmp|old)-(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length));
    if (!m || processAlive(Number(m[2]))) continue;
    // A crash between the two renames of a replacement leaves only the old version: restore it.
    if (m[1] === "old" && !existsSync(target)) renameSync(join(dir, name), target);
    else rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** fsync a file or folder by path (folders: so that renames inside it are durable). */
export function fsyncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return; // some platforms cannot open folders; the rename is still atomic
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR on file systems without folder fsync
  } finally {
    closeSync(fd);
  }
}

/** fsync every file under `dir` and every folder (bottom-up), so a later rename publishes complete data. */
export function fsyncTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) fsyncTree(p);
    else if (e.isFile()) fsyncPath(p);
  }
  fsyncPath(dir);
}

/** Throws `TargetExistsError` when `path` exists and `overwrite` is not set. */
export function refuseExisting(path: string, opts: SafeWriteOptions, kind: "file" | "folder"): void {
  if (opts.overwrite || !pathExists(path)) return;
  throw new TargetExistsError(path, opts.what ?? kind, opts.hint ?? DEFAULT_HINT);
}

/** True when anything (file, folder, broken link) is at `path`. */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Write `data` to `path` atomically (temp + fsync + rename). Refuses an existing file unless
 * `overwrite`; a folder at `path` is always refused.
 */
export function writeFileSafe(path: string, data: string | Uint8Array, opts: SafeWriteOptions = {}): void {
  const target = resolve(path);
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new Error(`${opts.what ?? "file"} ${target} is a folder; give a file path`);
  }
  if (!existsSync(dirname(target))) {
    throw new Error(`${opts.what ?? "file"} ${target}: folder ${dirname(target)} does not exist`);
  }
  refuseExisting(target, opts, "file");
  removeStaleTemps(target);
  const tmp = tempSibling(target, "tmp");
  const mode = opts.mode ?? 0o644;
  const fd = openSync(tmp, "wx", mode);
  let ok = false;
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(tmp, { force: true });
  }
  renameSync(tmp, target);
  fsyncPath(dirname(target));
}

/**
 * Write a folder atomically: `fill` writes into a fresh temporary sibling folder; when it resolves,
 * the tree is fsynced and renamed to `dir`. An existing `dir` is refused unless `overwrite`; then
 * `check(dir)` may veto (return a reason) before it is replaced by rename. On error or crash the
 * temporary folder is removed (now, or by the next write of `dir`), and `dir` is untouched.
 */
export async function writeFolderSafe<T>(
  dir: string,
  fill: (tmpDir: string) => Promise<T> | T,
  opts: SafeWriteOptions & { check?: (existing: string) => string | undefined } = {},
): Promise<T> {
  const target = resolve(dir);
  const what = opts.what ?? "folder";
  if (pathExists(target) && !statSync(target).isDirectory()) {
    throw new Error(`${what} ${target} is a file, not a folder`);
  }
  if (pathExists(target) && readdirSync(target).length === 0) {
    rmSync(target, { recursive: true }); // an empty folder holds nothing to lose
  }
  refuseExisting(target, opts, "folder");
  if (pathExists(target)) {
    const veto = opts.check?.(target);
    if (veto !== undefined) throw new Error(`${what} ${target}: not replaced: ${veto}`);
  }
  mkdirSync(dirname(target), { recursive: true });
  removeStaleTemps(target);
  const tmp = tempSibling(target, "tmp");
  mkdirSync(tmp);
  let result: T;
  try {
    result = await fill(tmp);
    fsyncTree(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  replaceWith(target, tmp);
  return result;
}

/** Move `tmp` to `target`, replacing an existing `target` by rename (old one removed afterwards). */
function replaceWith(target: string, tmp: string): void {
  if (pathExists(target)) {
    const old = tempSibling(target, "old");
    renameSync(target, old);
    renameSync(tmp, target);
    fsyncPath(dirname(target));
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, target);
    fsyncPath(dirname(target));
  }
}

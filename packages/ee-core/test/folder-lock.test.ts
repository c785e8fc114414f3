/** Folder locks: exclusive, stale locks of dead processes taken over, a live holder named in the error. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, lockPathFor, withLock } from "../src/folder-lock.js";

const dir = mkdtempSync(join(tmpdir(), "ee-core-lock-"));

describe("acquireLock", () => {
  it("records pid, host and start time; a second taker fails naming the holder; release frees it", async () => {
    const p = lockPathFor(join(dir, "run"));
    expect(p).toBe(join(dir, "run.lock"));
    const a = await acquireLock(p, { what: "run folder run", purpose: "test A" });
    const held = JSON.parse(readFileSync(p, "utf8"));
    expect(held).toMatchObject({ pid: process.pid, host: hostname(), purpose: "test A" });
    expect(Number.isNaN(Date.parse(held.startedAt))).toBe(false);
    await expect(acquireLock(p, { what: "run folder run", timeoutMs: 300, pollMs: 50 })).rejects.toThrow(
      `run folder run is locked by pid ${process.pid} on ${hostname()}`,
    );
    a.release();
    const b = await acquireLock(p, { what: "run folder run" });
    b.release();
  });

  it("a waiting taker gets the lock when the holder releases it", async () => {
    const p = join(dir, "wait.lock");
    const a = await acquireLock(p, { what: "x" });
    setTimeout(() => a.release(), 150);
    const b = await acquireLock(p, { what: "x", timeoutMs: 5000, pollMs: 20 });
    b.release();
  });

  it("a lock of a dead process is stale and taken over", async () => {
    const p = join(dir, "stale.lock");
    writeFileSync(p, JSON.stringify({ pid: 999999999, host: hostname(), startedAt: "t", purpose: "killed" }));
    const l = await acquireLock(p, { what: "x" });
    expect(JSON.parse(readFileSync(p, "utf8")).pid).toBe(process.pid);
    l.release();
  });

  it("withLock releases on error", async () => {
    const p = join(dir, "err.lock");
    await expect(withLock(p, { what: "x" }, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    (await acquireLock(p, { what: "x" })).release();
  });
});

/**
 * A cross-process lock file (`<target>.lock`, created exclusively, holding the owner's pid), so two
 * processes fetching the same file at once end with one correct file: the second waits, then finds it.
 * A lock whose owner process is gone is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

function ownerAlive(lockPath: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
  } catch {
    return true; // being written or just removed: look again shortly
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs `fn` holding `lockPath`; waits (polling every `pollMs` ms) while another live process holds it. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, pollMs = 50): Promise<T> {
  for (;;) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!ownerAlive(lockPath)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // someone else took it over first
        }
        continue;
      }
      await sleep(pollMs);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}

/**
 * Processes a test started, seen through Linux /proc: `ee` re-launches itself (huge pages), so the
 * real work runs in the launched process's child.
 */
import { readdirSync, readFileSync } from "node:fs";

/** `pid` and every process it started, and theirs (only `pid` where /proc is missing). */
export function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      for (const k of kids ? kids.split(/\s+/).map(Number) : []) out.push(...processTree(k));
    }
  } catch {
    // exited meanwhile, or no /proc
  }
  return out;
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes a test started, seen through Linux /proc: `ee` re-launches itself (huge pages), so the
 * real work runs in the launched process's child.
 */

/** `pid` and every process it started, and theirs (ee-core's walk over /proc). */
export { processTree } from "ee-core";

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A process and the processes it started, through Linux /proc (`/proc/<pid>/task/<tid>/children`),
 * and the peak resident memory of such a tree. `ee` re-launches itself (huge pages), so the work of
 * an `ee` child runs in its grandchild: whoever watches it must look at the whole tree.
 */
import { readdirSync, readFileSync } from "node:fs";

/** `pid` and every process it started, and theirs, depth first (only `pid` where /proc is missing). */
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

/** The largest peak resident set (`VmHWM`) in `pid`'s process tree (MiB); null when none could be read. */
export function peakRssMiB(pid: number): number | null {
  let peak: number | null = null;
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) peak = Math.max(peak ?? 0, Number(m[1]) / 1024);
    } catch {
      // exited meanwhile
    }
  }
  return peak;
}

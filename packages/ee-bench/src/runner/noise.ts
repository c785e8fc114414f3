/**
 * Sources of timing noise the runner controls or records: the machine's load around each row
 * (1-minute load average, os.loadavg — /proc/loadavg on Linux) and optional CPU pinning of the whole
 * process with `taskset -a -p -c <cpus> <pid>` (util-linux): every existing thread is moved, and
 * threads started later (the engines' thread pools) inherit the affinity.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import type { RowLoad } from "../types.js";

/** The 1-minute load average now (runnable processes). */
export function currentLoad(): number {
  return loadavg()[0];
}

/** A row's load record from the two samples. */
export function rowLoad(before: number, after: number, cores = availableParallelism()): RowLoad {
  return { before, after, cores };
}

/** True when the load around the row exceeded the core count (timings then include waiting for a core). */
export function overloaded(load: RowLoad): boolean {
  return Math.max(load.before, load.after) > load.cores;
}

/** Pins this process (all its threads) to `cpus` (`taskset` list syntax, e.g. `0` or `0-1`). */
export function pinCpus(cpus: string): void {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpus))
    throw new Error(`--pin-cpus: "${cpus}" is not a CPU list like 0 or 0-1 or 0,2`);
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT") throw new Error("--pin-cpus needs taskset (util-linux), which is not on PATH");
    throw new Error(`--pin-cpus ${cpus}: taskset failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/**
 * Sources of timing noise the runner controls or records: the machine's load around each row
 * (1-minute load average, os.loadavg — /proc/loadavg on Linux) and optional CPU pinning of the whole
 * process with `taskset -a -p -c <cpus> <pid>` (util-linux): every existing thread is moved, and
 * threads started later (the engines' thread pools) inherit the affinity.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
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

let fullGc: (() => void) | undefined;

/**
 * A full garbage collection, run before every timed call, outside its time. Why: a Llama call
 * allocates megabytes of logits (128k floats per step), so V8's major collections — whose cost
 * follows the whole heap (tokenizer tables, earlier rows' garbage), not the call — landed inside
 * random calls and added 50–100 ms to a 120–150 ms call (pair-level sd(r) 0.37 on llama-3.1-mini,
 * 2026-11-25). Minor collections, proportional to a call's own allocation, still happen inside the
 * call, so the client's extra allocations stay in EE's time. Without `--expose-gc` the function is
 * obtained with `v8.setFlagsFromString` (a documented Node API).
 */
export function collectGarbage(): void {
  if (fullGc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) fullGc = exposed;
    else {
      setFlagsFromString("--expose-gc");
      fullGc = runInNewContext("gc") as () => void;
    }
  }
  fullGc();
}

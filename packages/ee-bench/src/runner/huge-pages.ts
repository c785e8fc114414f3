/**
 * Model memory on transparent huge pages (Linux, glibc).
 *
 * Measured on 2026-11-25 (2-core VM, llama-3.1-mini, two ORT sessions of the SAME folder
 * timed ABBA): without huge pages the session opened first ran 11–16 % slower than the one opened
 * second, in one process or two, pinned to either CPU — an A/A bias as large as the effects the suite
 * measures. The weights are hundreds of MB read once per token, so the cost is TLB misses, and it
 * depends on which physical pages each session's heap happened to get. With glibc's
 * `glibc.malloc.hugetlb=1` tunable, malloc asks for transparent huge pages (madvise) for its large
 * blocks: the bias fell to −0.6…+0.8 % and both sessions ran at the faster speed.
 *
 * glibc reads tunables only at process start, so `ee` re-launches itself once with the tunable set
 * (signals forwarded, exit status kept). `EE_HUGE_PAGES=0` turns this off; runs record the setting.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** The glibc tunable that makes malloc request transparent huge pages (`name=value`). */
export const HUGE_PAGE_TUNABLE = "glibc.malloc.hugetlb=1";

/** How model memory is backed in this process (what env.json records). */
export interface HugePageState {
  /** Whether malloc was started with the huge-page tunable (flag). */
  mallocHugePages: boolean;
  /** The kernel's transparent-huge-page mode, e.g. `madvise` (text; `unknown` off Linux). */
  thpMode: string;
}

/** The environment `ee` should re-launch itself with, or undefined when it should run as it is. */
export function hugePageRelaunchEnv(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv | undefined {
  if (platform !== "linux" || env.EE_HUGE_PAGES === "0") return undefined;
  const current = env.GLIBC_TUNABLES ?? "";
  if (current.split(":").some((t) => t.startsWith("glibc.malloc.hugetlb="))) return undefined;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${HUGE_PAGE_TUNABLE}` : HUGE_PAGE_TUNABLE };
}

/** Set in the re-launched child: the launcher's pid, watched by `dieWithLauncher`. */
const PARENT_PID_VAR = "EE_LAUNCHER_PID";

/** How often the re-launched child checks that its launcher is alive (ms). */
const WATCH_MS = 200;

/**
 * In a re-launched child: exit at once (SIGKILL, like its launcher) when the launcher dies without
 * forwarding a signal — `kill -9` of the `ee` the user started must not leave the real work running
 * and holding its locks. Signals the launcher receives are forwarded, so this only covers SIGKILL.
 */
export function dieWithLauncher(env: NodeJS.ProcessEnv = process.env): void {
  const launcher = Number(env[PARENT_PID_VAR]);
  if (!Number.isInteger(launcher) || launcher <= 0) return;
  delete env[PARENT_PID_VAR]; // our own children (ee serve, engine workers) watch us, not our launcher
  const timer = setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, "SIGKILL");
  }, WATCH_MS);
  timer.unref();
}

/** This process's huge-page state. */
export function hugePageState(env: NodeJS.ProcessEnv = process.env): HugePageState {
  const tunables = (env.GLIBC_TUNABLES ?? "").split(":");
  let thpMode = "unknown";
  try {
    // e.g. "always [madvise] never": the bracketed word is the active mode
    const text = readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8");
    thpMode = /\[(\w+)\]/.exec(text)?.[1] ?? "unknown";
  } catch {
    // not Linux, or no THP support
  }
  return { mallocHugePages: tunables.includes(HUGE_PAGE_TUNABLE), thpMode };
}

/**
 * Re-launches this command with the huge-page tunable when needed. Resolves to true when it did (the
 * child's exit status is then this process's), false when the caller should run the command itself.
 */
export function relaunchWithHugePages(): Promise<boolean> {
  const env = hugePageRelaunchEnv(process.env);
  if (env === undefined) return Promise.resolve(false);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...env, [PARENT_PID_VAR]: String(process.pid) },
    stdio: "inherit",
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve, reject) => {
    child.on("error", (e) =>
      reject(new Error(`ee: could not re-launch with ${HUGE_PAGE_TUNABLE}: ${e.message}`)),
    );
    child.on("exit", (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      process.exitCode = code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : 1);
      resolve(true);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
}

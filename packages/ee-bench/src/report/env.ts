/** `env.json`: the machine and software a run measured on. */
import { execFileSync } from "node:child_process";
import { arch, cpus, release, totalmem, type } from "node:os";
import { engineNames } from "ee-models";
import { repoRoot } from "../paths.js";
import { type HugePageState, hugePageState } from "../runner/huge-pages.js";
import type { RowLoad } from "../types.js";
import { WARNINGS } from "../warnings.js";

/** What `env.json` holds. */
export interface RunEnv {
  /** CPU model string (text). */
  cpuModel: string;
  /** Logical cores (cores). */
  cores: number;
  /** Physical memory (bytes). */
  memoryBytes: number;
  /** OS type, release and architecture (text). */
  os: string;
  /** Node.js version (text). */
  node: string;
  /** Registered engines (registry names); each row's engine, version and device are in `targets`. */
  engines: string[];
  /** Git commit of the repository, "unknown" without git (hex). */
  gitCommit: string;
  /** True when the working tree had uncommitted changes (flag). */
  gitDirty: boolean | null;
  /** Data directory read (absolute path). */
  dataDir: string;
  /** Start of the run (ISO 8601). */
  startedAt: string;
  /** End of the run, absent while running (ISO 8601). */
  endedAt?: string;
  /** Starts of resumed sessions (ISO 8601). */
  resumedAt: string[];
  /** Per row: how its targets were made (model dirs, build/encrypt seconds, engine, runtime label …) (JSON). */
  targets: Record<string, Record<string, unknown>>;
  /** Per row: 1-minute load average before and after its timed calls. */
  rowLoad?: Record<string, RowLoad>;
  /** Engine intra-op threads every session used (inter-op: 1, spinning off) (threads). */
  intraOpThreads?: number;
  /** CPUs the process was pinned to with `taskset`, absent when not pinned (cpu list, e.g. `0` or `0-1`). */
  pinnedCpus?: string;
  /** A full garbage collection ran before every timed call, outside its time (flag); absent in older runs. */
  gcBeforeCalls?: boolean;
  /** How model memory was backed: malloc on transparent huge pages, and the kernel's THP mode. */
  hugePages?: HugePageState;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd: repoRoot(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Collects the environment; `warn` is told when git is unavailable. */
export function collectEnv(dataDir: string, warn: (line: string) => void, startedAt = new Date()): RunEnv {
  const commit = git(["rev-parse", "HEAD"]);
  const status = commit === undefined ? undefined : git(["status", "--porcelain"]);
  if (commit === undefined) warn(WARNINGS.noGit());
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryBytes: totalmem(),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    engines: engineNames(),
    gitCommit: commit ?? "unknown",
    gitDirty: status === undefined ? null : status.length > 0,
    dataDir,
    startedAt: startedAt.toISOString(),
    resumedAt: [],
    targets: {},
    hugePages: hugePageState(),
  };
}

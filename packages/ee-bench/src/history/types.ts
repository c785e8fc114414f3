/** The shapes `ee history` reads run folders into and writes `history.json` from. */

/** What makes two runs' timings comparable besides the suite: machine, software and thread settings. */
export interface EnvFingerprint {
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
  /** Registered engines (registry names). */
  engines: string[];
  /** Execution provider of the run (text). */
  device: string;
  /** Engine intra-op threads asked for (`--threads`), "default" when not fixed (threads). */
  threads: number | "default";
  /** Intra-op threads every ORT session used, "unrecorded" when env.json lacks it (threads). */
  intraOpThreads: number | "unrecorded";
  /** Whether a full GC ran before every timed call (flag; false for runs that do not record it). */
  gcBeforeCalls: boolean;
  /** CPUs the run was pinned to, "unpinned" when not (cpu list). */
  pinnedCpus: string;
  /** Model memory backing, e.g. `malloc on, THP madvise`; "unrecorded" for older runs (text). */
  hugePages: string;
  /** Per row: its engine as opened (name, version, device, options, launcher, runtime label) (canonical JSON). */
  rowEngines: Record<string, string>;
}

/** One row of one run, as `summary.json` has it. */
export interface RunRowPoint {
  /** Suite row id (text). */
  row: string;
  /** Paired ΔT, absent below 2 repetitions (%). */
  deltaTPct?: number;
  /** 95 % interval of the paired ΔT: [low, high] (%). */
  ci95Pct?: [number, number];
  /** Half the width of the paired interval (%). */
  halfWidthPct?: number;
  /** Reach of the row's A/A control interval in this run, max(|low|, |high|); absent without a control (%). */
  controlReachPct?: number;
  /** Mean VI total per repetition (s). */
  viSec: number;
  /** Mean EE total per repetition (s). */
  eeSec: number;
  /** Median per-call VI latency (ms). */
  viLatencyP50Ms: number;
  /** Median per-call EE latency (ms). */
  eeLatencyP50Ms: number;
  /** Paper Eq. 4 fidelity (%). */
  fidelityPct: number;
}

/** A readable run folder. */
export interface IndexedRun {
  /** Folder name, the run id (text). */
  runId: string;
  /** The folder (absolute path). */
  runDir: string;
  /** Suite name (text). */
  suite: string;
  /** sha256 of the resolved configuration: suite rows, sample ids, device, threads (hex). */
  configHash: string;
  /** Git commit, "unknown" without git (hex). */
  gitCommit: string;
  /** Uncommitted changes when the run started; null when unknown (flag). */
  gitDirty: boolean | null;
  /** Start of the run (ISO 8601). */
  startedAt: string;
  /** End of the run (ISO 8601). */
  endedAt: string;
  /** The environment the run measured on. */
  fingerprint: EnvFingerprint;
  /** sha256 of the canonical fingerprint (hex). */
  fingerprintHash: string;
  /** Rows of `summary.json`, in suite order. */
  rows: RunRowPoint[];
}

/** A folder under the reports directory that is not a usable run, and why. */
export interface UnreadableRun {
  /** The folder (absolute path). */
  runDir: string;
  /** Why it was not indexed (text). */
  reason: string;
}

/** A step found in a row's ΔT series. */
export interface StepFlag {
  /** Suite row id (text). */
  row: string;
  /** First run after the step (run id). */
  firstRunId: string;
  /** Commit of that run (hex). */
  firstCommit: string;
  /** Start of that run (ISO 8601). */
  firstStartedAt: string;
  /** Runs before the step that entered the test (count). */
  runsBefore: number;
  /** Runs from the step on that entered the test (count). */
  runsAfter: number;
  /** Mean ΔT before the step (%). */
  meanBeforePct: number;
  /** Mean ΔT from the step on (%). */
  meanAfterPct: number;
  /** meanAfter − meanBefore; positive = EE overhead grew (percentage points). */
  shiftPts: number;
  /** What the shift had to exceed: interval allowance + control noise floor (percentage points). */
  thresholdPts: number;
  /** `slowdown`: ΔT rose; `speedup`: it fell. */
  direction: "slowdown" | "speedup";
}

/** Runs that can be compared with each other: same suite configuration and same environment. */
export interface HistoryGroup {
  /** Short id: suite name + configuration and fingerprint hash prefixes (text). */
  id: string;
  /** Suite name (text). */
  suite: string;
  /** Configuration hash (hex). */
  configHash: string;
  /** Fingerprint hash (hex). */
  fingerprintHash: string;
  /** The environment shared by every run of the group. */
  fingerprint: EnvFingerprint;
  /** Runs, oldest first (by start, then run id). */
  runs: IndexedRun[];
  /** Steps found per row, oldest first. */
  steps: StepFlag[];
}

/** `history.json`. */
export interface History {
  /** Format version. */
  v: 1;
  /** The reports folder indexed (absolute path). */
  reportsDir: string;
  /** Groups of comparable runs, largest first. */
  groups: HistoryGroup[];
  /** Folders not indexed, with the reason. */
  unreadable: UnreadableRun[];
}

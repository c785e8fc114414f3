/** What every phase of a suite run shares: options, the log and warning sinks, the factory context. */

import { availableParallelism } from "node:os";
import type { Suite, TargetFactory, TargetFactoryContext } from "../types.js";
import type { ProgressStream } from "./progress.js";

/** Options of `runSuite`. */
export interface RunSuiteOptions {
  /** The suite (overrides applied). */
  suite: Suite;
  /** Makes each row's targets. */
  factory: TargetFactory;
  /** The data directory (absolute path). */
  dataDir: string;
  /** Where run folders go (absolute path). */
  reportsDir: string;
  /** Where models are cached (absolute path). */
  cacheDir: string;
  /** Continue this run folder instead of starting one (path). */
  resumeDir?: string;
  /** Run id (folder name); default `<suite>-<UTC timestamp>`. */
  runId?: string;
  /** Execution provider (default `cpu`). */
  device?: string;
  /** Engine intra-op threads; default the machine's logical cores, fixed and recorded (threads). */
  threads?: number;
  /** Pin the process to these CPUs with `taskset` (list, e.g. `0-1`); absent = not pinned. */
  pinCpus?: string;
  /** Verify data files' sha256 (flag). */
  verifyData?: boolean;
  /** Dataset manifests folder (default: the repository's `datasets/`). */
  manifestDir?: string;
  /** Clock for call latencies (ms); default performance.now. */
  clock?: () => number;
  /** Progress output (default process.stderr). */
  progressStream?: ProgressStream;
  /** Log/warning line sink (default: stderr). */
  log?: (line: string) => void;
  /** Render SVG/PNG charts (default true). */
  render?: boolean;
}

/** The shared state of one suite run, passed from phase to phase. */
export interface RunContext {
  /** The options the run was started with. */
  opts: RunSuiteOptions;
  /** Execution provider (text). */
  device: string;
  /** Engine intra-op threads of every session, resolved (threads). */
  threads: number;
  /** Log line sink (text). */
  log: (line: string) => void;
  /** Records and logs a warning (text). */
  warn: (line: string) => void;
  /** Every warning so far, in order (text). */
  warnings: string[];
  /** What the target factory gets. */
  factoryCtx: TargetFactoryContext;
}

/** The run context of `opts`; `t0` (ms, performance.now) stamps the default log lines. */
export function createRunContext(
  opts: RunSuiteOptions,
  t0: number,
  stamp: (ms: number) => string,
): RunContext {
  const log =
    opts.log ?? ((line: string) => process.stderr.write(`[${stamp(performance.now() - t0)}] ${line}\n`));
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    log(`warning: ${w}`);
  };
  const device = opts.device ?? "cpu";
  // A fixed thread count, recorded in config.json/env.json, rather than the engine's own choice.
  const threads = opts.threads ?? availableParallelism();
  const factoryCtx: TargetFactoryContext = {
    cacheDir: opts.cacheDir,
    dataDir: opts.dataDir,
    device,
    threads,
    log,
  };
  return { opts, device, threads, log, warn, warnings, factoryCtx };
}

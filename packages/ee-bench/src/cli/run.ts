/** `ee run [suite]`: load a suite, apply command-line overrides, run it, print Table 2. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Launcher } from "ee-models";
import { reportsDir as defaultReportsDir } from "../paths.js";
import { readRunJson } from "../report/write-report.js";
import { runSuite } from "../runner/run-suite.js";
import { applyOverrides, loadSuite } from "../suite/load.js";
import { modelTargetFactory } from "../targets/factory.js";
import { validateModelRows } from "../targets/validate-rows.js";
import type { RunConfig, TargetFactory } from "../types.js";
import { acquireSuiteData } from "./fetch.js";
import { resolveRunDir } from "./table.js";

/** Options of `ee run` (as commander parses them). */
export interface RunCliOptions {
  /** Continue this run folder (path). */
  resume?: string;
  /** Reports folder (path); default `<repo>/reports`. */
  out?: string;
  /** Override every dataset's sample count (samples). */
  samples?: number;
  /** Override every row's repetitions, ≥ 3 (count). */
  reps?: number;
  /** Override every row's warm-up calls (calls). */
  warmup?: number;
  /** Comma-separated row ids to run (text). */
  rows?: string;
  /** Execution provider `cpu` / `cuda` (text). */
  device?: string;
  /** Engine intra-op threads (threads). */
  threads?: number;
  /** Pin the run to these CPUs with taskset (cpu list). */
  pinCpus?: string;
  /** Run every row in this engine (registry name). */
  engine?: string;
  /** Run every row's VI and EE with this launcher. */
  launcher?: Launcher;
  /** Data directory (path); default EE_DATA_DIR, else `<repo>/../shared/datasets`, else the cache. */
  dataDir?: string;
  /** Model cache (path); default `<reports>/.cache`. */
  cacheDir?: string;
  /** Verify data files' sha256 against the manifests (flag). */
  verifyData?: boolean;
  /** Skip SVG/PNG rendering (flag). */
  noRender?: boolean;
  /** Dataset manifests folder (path); default the repository's `datasets/`. */
  manifestDir?: string;
  /** Target factory (library use and tests); default: build + encrypt real models with ee-models. */
  factory?: TargetFactory;
}

/**
 * Runs the suite (with `resume`: the run folder's own suite; `suite` is then ignored); prints the
 * table and the run folder; returns the exit code (0).
 */
export async function runCommand(suite: string, opts: RunCliOptions = {}): Promise<number> {
  const started = performance.now();
  const rows = opts.rows
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // A resumed run continues the suite exactly as it was resolved (config.json); overrides given
  // again are applied on top and must leave it unchanged (the configuration hash is checked).
  const resumeDir = opts.resume ? resolveRunDir(opts.resume) : undefined;
  const base = resumeDir ? readRunJson<RunConfig>(resumeDir, "config.json").suite : loadSuite(suite);
  const resolved = applyOverrides(base, {
    rows,
    count: opts.samples,
    repetitions: opts.reps,
    warmup: opts.warmup,
    engine: opts.engine,
    launcher: opts.launcher,
  });
  // What the suite needs, from the mirror, the cache or the pinned origins (prints how much).
  const dataDir = await acquireSuiteData(resolved.rows, {
    dataDir: opts.dataDir,
    manifestDir: opts.manifestDir,
    withModels: opts.factory === undefined, // tokenizer files are read by the real model factory only
  });
  if (opts.factory === undefined) validateModelRows(resolved); // before any folder or model exists
  const reportsDir = resolve(opts.out ?? defaultReportsDir());
  const { runDir, summary } = await runSuite({
    suite: resolved,
    factory: opts.factory ?? modelTargetFactory,
    dataDir,
    reportsDir,
    cacheDir: resolve(opts.cacheDir ?? join(reportsDir, ".cache")),
    resumeDir,
    device: opts.device,
    threads: opts.threads,
    pinCpus: opts.pinCpus,
    verifyData: opts.verifyData,
    manifestDir: opts.manifestDir,
    render: opts.noRender !== true,
  });
  process.stdout.write(readFileSync(join(runDir, "table.md"), "utf8"));
  const wallSec = (performance.now() - started) / 1000;
  process.stdout.write(
    `\nrun folder: ${runDir} (${summary.rows.length} rows, wall time ${wallSec.toFixed(1)} s)\n`,
  );
  return 0;
}

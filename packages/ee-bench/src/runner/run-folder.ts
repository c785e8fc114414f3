/**
 * The run folder: a new one (config.json + env.json written) or, with `--resume`, an existing one
 * whose configuration hash must match the plan's. Also `reports/latest`.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acquireLock, type HeldLock } from "ee-core";
import { collectEnv, type RunEnv } from "../report/env.js";
import { type DatasetsFile, readRunJson, toJson } from "../report/write-report.js";
import type { RunConfig } from "../types.js";
import { describeConfigDiff } from "./config-diff.js";
import type { RunContext } from "./run-context.js";

/** An opened run folder. */
export interface RunFolder {
  /** The folder (absolute path). */
  runDir: string;
  /** `env.json`'s content, kept up to date by the later phases. */
  env: RunEnv;
  /** The folder's write lock (`.ee-run.lock` inside it), held until the run ends. */
  lock?: HeldLock;
}

/** File name of a run folder's lock (pid, host and start of the process writing the folder). */
export const RUN_LOCK_FILE = ".ee-run.lock";

/** Locks `runDir` against a second writer; fails at once naming the holder. */
function lockRunFolder(runDir: string): Promise<HeldLock> {
  return acquireLock(join(runDir, RUN_LOCK_FILE), { what: `run folder ${runDir}` });
}

function defaultRunId(suite: string, d = new Date()): string {
  return `${suite}-${d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")
    .replace("T", "-")}`;
}

/** Points `reports/latest` at the run (a relative symlink, else a pointer file holding the run id). */
export function updateLatest(reportsDir: string, runId: string): void {
  const link = join(reportsDir, "latest");
  rmSync(link, { force: true, recursive: false });
  try {
    symlinkSync(runId, link);
  } catch {
    writeFileSync(link, `${runId}\n`);
  }
}

/** Reopens `resumeDir` after checking that its configuration hash equals `config`'s. */
async function resumeRunFolder(resumeDir: string, config: RunConfig): Promise<RunFolder> {
  const runDir = realpathSync(resumeDir); // never `reports/latest` itself: it is re-pointed at the end
  const lock = await lockRunFolder(runDir);
  try {
    const old = readRunJson<RunConfig>(runDir, "config.json");
    if (old.configHash !== config.configHash) {
      const diff = describeConfigDiff(old, config);
      throw new Error(
        `--resume ${runDir}: the configuration differs from the run's (${diff.join("; ") || `hash ${config.configHash.slice(0, 12)} ≠ ${old.configHash.slice(0, 12)}: config format changed`}). Resume with the same suite and options, or start a new run.`,
      );
    }
    const env = readRunJson<RunEnv>(runDir, "env.json");
    env.resumedAt = [...(env.resumedAt ?? []), new Date().toISOString()];
    delete env.endedAt;
    return { runDir, env, lock };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/** Creates a fresh run folder under `reportsDir` (a suffix `-2`, `-3`… when the id is taken). */
async function createRunFolder(ctx: RunContext, config: RunConfig): Promise<RunFolder> {
  const { reportsDir, runId, dataDir } = ctx.opts;
  mkdirSync(reportsDir, { recursive: true });
  const base = runId ?? defaultRunId(config.suite.name);
  let runDir = "";
  // mkdir without `recursive` fails when the id is taken, so two runs started at once get two folders.
  for (let k = 1; runDir === ""; k++) {
    const candidate = join(reportsDir, k === 1 ? base : `${base}-${k}`);
    if (existsSync(candidate)) continue;
    try {
      mkdirSync(candidate);
      runDir = candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  const lock = await lockRunFolder(runDir);
  writeFileSync(join(runDir, "config.json"), toJson(config));
  return { runDir, env: collectEnv(dataDir, ctx.warn), lock };
}

/** Opens the run folder (new, or resumed) and writes its env.json and datasets.json. */
export async function openRunFolder(
  ctx: RunContext,
  config: RunConfig,
  datasets: DatasetsFile,
): Promise<RunFolder> {
  const folder = ctx.opts.resumeDir
    ? await resumeRunFolder(ctx.opts.resumeDir, config)
    : await createRunFolder(ctx, config);
  writeRunEnv(folder);
  writeFileSync(join(folder.runDir, "datasets.json"), toJson(datasets));
  return folder;
}

/** Writes the folder's env.json from `folder.env`. */
export function writeRunEnv(folder: RunFolder): void {
  writeFileSync(join(folder.runDir, "env.json"), toJson(folder.env));
}

/**
 * The run folder: a new one (config.json + env.json written) or, with `--resume`, an existing one
 * whose configuration hash must match the plan's. Also `reports/latest`.
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectEnv, type RunEnv } from "../report/env.js";
import { type DatasetsFile, readRunJson, toJson } from "../report/write-report.js";
import type { RunConfig } from "../types.js";
import type { RunContext } from "./run-context.js";

/** An opened run folder. */
export interface RunFolder {
  /** The folder (absolute path). */
  runDir: string;
  /** `env.json`'s content, kept up to date by the later phases. */
  env: RunEnv;
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
function resumeRunFolder(resumeDir: string, config: RunConfig): RunFolder {
  const runDir = realpathSync(resumeDir); // never `reports/latest` itself: it is re-pointed at the end
  const old = readRunJson<RunConfig>(runDir, "config.json");
  if (old.configHash !== config.configHash) {
    const changed = config.suite.rows
      .filter(
        (r) =>
          JSON.stringify(old.suite.rows.find((o) => o.id === r.id)) !== JSON.stringify(r) ||
          JSON.stringify(old.sampleIds[r.id]) !== JSON.stringify(config.sampleIds[r.id]),
      )
      .map((r) => r.id);
    throw new Error(
      `--resume ${runDir}: configuration hash ${config.configHash.slice(0, 12)} differs from the run's ${old.configHash.slice(0, 12)} (suite, overrides, data, device or threads changed; rows differing: ${changed.join(", ") || "none — check suite name, device, threads"}). Resume with the same suite and options, or start a new run.`,
    );
  }
  const env = readRunJson<RunEnv>(runDir, "env.json");
  env.resumedAt = [...(env.resumedAt ?? []), new Date().toISOString()];
  delete env.endedAt;
  return { runDir, env };
}

/** Creates a fresh run folder under `reportsDir` (a suffix `-2`, `-3`… when the id is taken). */
function createRunFolder(ctx: RunContext, config: RunConfig): RunFolder {
  const { reportsDir, runId, dataDir } = ctx.opts;
  mkdirSync(reportsDir, { recursive: true });
  const base = runId ?? defaultRunId(config.suite.name);
  let id = base;
  for (let k = 2; existsSync(join(reportsDir, id)); k++) id = `${base}-${k}`;
  const runDir = join(reportsDir, id);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, "config.json"), toJson(config));
  return { runDir, env: collectEnv(dataDir, ctx.warn) };
}

/** Opens the run folder (new, or resumed) and writes its env.json and datasets.json. */
export function openRunFolder(ctx: RunContext, config: RunConfig, datasets: DatasetsFile): RunFolder {
  const folder = ctx.opts.resumeDir
    ? resumeRunFolder(ctx.opts.resumeDir, config)
    : createRunFolder(ctx, config);
  writeRunEnv(folder);
  writeFileSync(join(folder.runDir, "datasets.json"), toJson(datasets));
  return folder;
}

/** Writes the folder's env.json from `folder.env`. */
export function writeRunEnv(folder: RunFolder): void {
  writeFileSync(join(folder.runDir, "env.json"), toJson(folder.env));
}

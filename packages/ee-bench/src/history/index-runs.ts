/**
 * Indexes the run folders under a reports directory, reading config.json, env.json and summary.json
 * as `ee run` wrote them (nothing is rewritten). A folder that is incomplete or unreadable is listed
 * with the reason, never skipped silently; only dot-folders (the model cache), `latest` and the
 * history output folder are not looked at.
 */
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { RunEnv } from "../report/env.js";
import { readRunJson } from "../report/write-report.js";
import type { RowSummary, RunConfig, RunSummary } from "../types.js";
import { envFingerprint, fingerprintHash } from "./fingerprint.js";
import type { IndexedRun, RunRowPoint, UnreadableRun } from "./types.js";

/** The files every finished run folder has. */
const REQUIRED = ["config.json", "env.json", "summary.json"] as const;

/** One row of summary.json as a history point. */
function rowPoint(r: RowSummary): RunRowPoint {
  const p: RunRowPoint = {
    row: r.row,
    viSec: r.viSec,
    eeSec: r.eeSec,
    viLatencyP50Ms: r.viLatencyP50Ms,
    eeLatencyP50Ms: r.eeLatencyP50Ms,
    fidelityPct: r.fidelityPct,
  };
  if (r.paired) {
    p.deltaTPct = r.paired.deltaTPct;
    p.ci95Pct = r.paired.ci95Pct;
    p.halfWidthPct = r.paired.halfWidthPct;
  }
  if (r.control) p.controlReachPct = Math.max(Math.abs(r.control.ci95Pct[0]), Math.abs(r.control.ci95Pct[1]));
  return p;
}

/** Reads one run folder; throws a one-line reason when it cannot be indexed. */
export function readRun(runDir: string): IndexedRun {
  const missing = REQUIRED.filter((f) => !existsSync(join(runDir, f)));
  if (missing.length === REQUIRED.length)
    throw new Error("not a run folder (no config.json, env.json or summary.json)");
  if (missing.length > 0)
    throw new Error(
      `incomplete: ${missing.join(", ")} missing (interrupted run? finish it with "ee run --resume", or "ee table")`,
    );
  const config = readRunJson<RunConfig>(runDir, "config.json");
  const env = readRunJson<RunEnv>(runDir, "env.json");
  const summary = readRunJson<RunSummary>(runDir, "summary.json");
  if (typeof config?.configHash !== "string" || !Array.isArray(config.suite?.rows))
    throw new Error("config.json: no configHash or suite.rows");
  if (typeof env?.startedAt !== "string" || typeof env.cpuModel !== "string")
    throw new Error("env.json: no startedAt or cpuModel");
  if (typeof env.endedAt !== "string")
    throw new Error("incomplete: env.json has no endedAt (the run did not finish)");
  if (!Array.isArray(summary?.rows)) throw new Error("summary.json: no rows");
  if (summary.configHash !== config.configHash)
    throw new Error(`summary.json's configHash differs from config.json's (regenerate with "ee table")`);
  const fingerprint = envFingerprint(env, config);
  return {
    runId: basename(runDir),
    runDir,
    suite: config.suite.name,
    configHash: config.configHash,
    gitCommit: env.gitCommit,
    gitDirty: env.gitDirty,
    startedAt: env.startedAt,
    endedAt: env.endedAt,
    fingerprint,
    fingerprintHash: fingerprintHash(fingerprint),
    rows: summary.rows.map(rowPoint),
  };
}

/** Every run folder under `reportsDir` (sorted by name), read or listed as unreadable. */
export function indexRuns(
  reportsDir: string,
  exclude: readonly string[] = [],
): { runs: IndexedRun[]; unreadable: UnreadableRun[] } {
  const root = resolve(reportsDir);
  if (!existsSync(root)) throw new Error(`${reportsDir}: no such reports folder`);
  const skip = new Set(exclude.map((p) => resolve(p)));
  const runs: IndexedRun[] = [];
  const unreadable: UnreadableRun[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (name.startsWith(".") || name === "latest" || skip.has(dir)) continue;
    if (!lstatSync(dir).isDirectory()) continue; // README.md and other plain files
    try {
      runs.push(readRun(dir));
    } catch (e) {
      unreadable.push({ runDir: dir, reason: (e as Error).message });
    }
  }
  return { runs, unreadable };
}

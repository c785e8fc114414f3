/**
 * The environment fingerprint of a run: what, besides the suite, decides whether two runs' latencies
 * can be compared (CPU, cores, memory, OS, Node, engines and their versions/options per row, device and
 * thread settings). Read from env.json and config.json as the runner wrote them.
 */
import { createHash } from "node:crypto";
import type { RunEnv } from "../report/env.js";
import { canonicalJson } from "../runner/config-hash.js";
import type { RunConfig } from "../types.js";
import type { EnvFingerprint } from "./types.js";

/** The per-row engine identity: env.json `targets.<row>` without paths and build/encrypt times. */
function rowEngine(target: Record<string, unknown> | undefined): string {
  if (!target) return "unrecorded";
  const { engine, engineOptions, launcher, runtime, fake } = target;
  return canonicalJson({ engine, engineOptions, launcher, runtime, fake });
}

/** The fingerprint of a run from its env.json and config.json. */
export function envFingerprint(env: RunEnv, config: RunConfig): EnvFingerprint {
  const rowEngines: Record<string, string> = {};
  for (const row of config.suite.rows) rowEngines[row.id] = rowEngine(env.targets?.[row.id]);
  return {
    cpuModel: env.cpuModel,
    cores: env.cores,
    memoryBytes: env.memoryBytes,
    os: env.os,
    node: env.node,
    engines: [...(env.engines ?? [])].sort(),
    device: config.device,
    threads: config.threads ?? "default",
    intraOpThreads: env.intraOpThreads ?? "unrecorded",
    pinnedCpus: env.pinnedCpus ?? "unpinned",
    gcBeforeCalls: env.gcBeforeCalls ?? false,
    hugePages: env.hugePages
      ? `malloc ${env.hugePages.mallocHugePages ? "on" : "off"}, THP ${env.hugePages.thpMode}`
      : "unrecorded",
    rowEngines,
  };
}

/** sha256 of the canonical fingerprint (hex). */
export function fingerprintHash(f: EnvFingerprint): string {
  return createHash("sha256").update(canonicalJson(f)).digest("hex");
}

/** The fields in which two fingerprints differ, e.g. `cpuModel`, `rowEngines.cls` (field names). */
export function fingerprintDiff(a: EnvFingerprint, b: EnvFingerprint): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a) as (keyof EnvFingerprint)[]) {
    if (k === "rowEngines") {
      const rows = new Set([...Object.keys(a.rowEngines), ...Object.keys(b.rowEngines)]);
      for (const r of rows) if (a.rowEngines[r] !== b.rowEngines[r]) out.push(`rowEngines.${r}`);
    } else if (canonicalJson(a[k]) !== canonicalJson(b[k])) out.push(k);
  }
  return out;
}

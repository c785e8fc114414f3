/**
 * `ee fetch`: acquire what a suite, datasets or models need — from the mirror, the cache or the pinned
 * public origins (verified, cached) — and print what it got. Also the shared pieces `ee run` and
 * `ee build --weights hf:…` use.
 */
import {
  type AcquireReport,
  acquireFiles,
  type FetchSettings,
  fetchSettings,
  formatBytes,
  hubSnapshot,
  isHubRef,
  parseHubRef,
} from "ee-core";
import { loadManifest } from "../datasets/manifest.js";
import { type DataRow, suiteDataPaths } from "../datasets/needs.js";
import { loadSuite } from "../suite/load.js";

/** Options of `ee fetch` (as commander parses them). */
export interface FetchCliOptions {
  /** Suite name or path: everything its rows need. */
  suite?: string;
  /** Dataset names: every file of each. */
  dataset?: string[];
  /** Preset names (their tokenizer files) or Hub checkpoints `hf:REPO[@REV]`. */
  model?: string[];
  /** Never touch the network (flag). */
  offline?: boolean;
  /** Data directory used as the mirror (path). */
  dataDir?: string;
  /** Dataset manifests folder (path); default the repository's `datasets/`. */
  manifestDir?: string;
}

/** Settings from the environment, with `--offline` on top. */
export function cliFetchSettings(offline?: boolean): FetchSettings {
  return fetchSettings(process.env, offline ? { offline: true } : {});
}

/** One line: how many files, how big, and from where. */
export function describeAcquired(r: AcquireReport): string {
  const parts: string[] = [];
  if (r.bySource.mirror.files > 0) parts.push(`${r.bySource.mirror.files} from the mirror ${r.mirror?.dir}`);
  if (r.bySource.cache.files > 0) parts.push(`${r.bySource.cache.files} from the cache`);
  if (r.bySource.origin.files > 0)
    parts.push(`${r.bySource.origin.files} downloaded (${formatBytes(r.transferredBytes)} over the network)`);
  return `data: ${r.total.files} files, ${formatBytes(r.total.bytes)}: ${parts.join(", ") || "nothing to do"} → ${r.root}`;
}

/** Acquires a suite's files; returns the data directory to read them from. */
export async function acquireSuiteData(
  rows: readonly DataRow[],
  opts: { dataDir?: string; manifestDir?: string; offline?: boolean; withModels?: boolean },
): Promise<string> {
  const paths = suiteDataPaths(
    opts.withModels === false ? rows.map((r) => ({ ...r, model: "", task: "" })) : rows,
    opts.manifestDir,
  );
  const r = await acquireFiles(paths, {
    settings: cliFetchSettings(opts.offline),
    dataDir: opts.dataDir,
    progress: process.stderr,
  });
  process.stderr.write(`${describeAcquired(r)}\n`);
  return r.root;
}

/** Acquires every file of the named datasets; returns the data directory to read them from. */
export async function acquireDatasets(names: readonly string[], dataDir?: string): Promise<string> {
  const paths = names.flatMap((name) => loadManifest(name).paths);
  const r = await acquireFiles(paths, { settings: cliFetchSettings(), dataDir, progress: process.stderr });
  process.stderr.write(`${describeAcquired(r)}\n`);
  return r.root;
}

/** Acquires a preset's tokenizer files; returns the data directory, or undefined when it needs none. */
export async function acquirePresetData(preset: string, offline?: boolean): Promise<string | undefined> {
  const paths = suiteDataPaths([{ model: preset, task: "", seed: 1, datasets: [] }]);
  if (paths.length === 0) return undefined;
  const r = await acquireFiles(paths, { settings: cliFetchSettings(offline), progress: process.stderr });
  if (r.bySource.origin.files > 0) process.stderr.write(`${describeAcquired(r)}\n`);
  return r.root;
}

/** `--weights`: a local folder as is, or `hf:REPO[@REV]` resolved to its snapshot folder in the HF cache. */
export async function resolveWeightsArg(
  weights: string | undefined,
  offline?: boolean,
): Promise<string | undefined> {
  if (weights === undefined || !isHubRef(weights)) return weights;
  const ref = parseHubRef(weights);
  const snap = await hubSnapshot(ref, { settings: cliFetchSettings(offline), progress: process.stderr });
  process.stderr.write(
    `hf:${ref.repo}@${ref.revision} → ${snap.dir} (commit ${snap.commit}; ${snap.files.length} files: ${snap.cachedFiles} cached, ${snap.downloadedFiles} downloaded, ${formatBytes(snap.transferredBytes)})\n`,
  );
  return snap.dir;
}

/** Runs `ee fetch`; with no selection, the `default` suite. Returns the exit code. */
export async function fetchCommand(opts: FetchCliOptions = {}): Promise<number> {
  const models = opts.model ?? [];
  const hub = models.filter(isHubRef);
  const presets = models.filter((m) => !isHubRef(m));
  const nothing = opts.suite === undefined && (opts.dataset ?? []).length === 0 && models.length === 0;
  const rows: DataRow[] = [];
  if (opts.suite !== undefined || nothing) rows.push(...loadSuite(opts.suite ?? "default").rows);
  for (const name of opts.dataset ?? []) {
    const m = loadManifest(name, opts.manifestDir);
    for (const path of m.paths) rows.push({ model: "", task: "", seed: 1, datasets: [{ name, path }] });
  }
  for (const preset of presets) rows.push({ model: preset, task: "", seed: 1, datasets: [] });
  if (rows.length > 0) {
    const started = performance.now();
    const paths = suiteDataPaths(rows, opts.manifestDir);
    const r = await acquireFiles(paths, {
      settings: cliFetchSettings(opts.offline),
      dataDir: opts.dataDir,
      progress: process.stderr,
    });
    process.stdout.write(
      `${describeAcquired(r)} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  for (const ref of hub) {
    const dir = await resolveWeightsArg(ref, opts.offline);
    process.stdout.write(`${ref}: ${dir}\n`);
  }
  return 0;
}

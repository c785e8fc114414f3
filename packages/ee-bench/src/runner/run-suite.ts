/**
 * A whole suite run: load every row's data (errors and malformed rows first, before any model is
 * built), write config.json + env.json, then per row obtain the targets from the factory, time them
 * (`runRow`), micro-benchmark them (tinybench), and finally write the report. With `resumeDir` the
 * configuration hash must match and only the missing pairs are measured.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { loadDataset } from "../datasets/registry.js";
import { collectEnv, type RunEnv } from "../report/env.js";
import { type DatasetsFile, readRunJson, toJson, writeReport } from "../report/write-report.js";
import type {
  BenchSample,
  MicrobenchResult,
  RunConfig,
  RunSummary,
  Suite,
  TargetFactory,
  TargetPair,
} from "../types.js";
import { WARNINGS } from "../warnings.js";
import { buildRunConfig } from "./config-hash.js";
import { planCalls } from "./interleave.js";
import { microbench } from "./microbench.js";
import { createProgress, formatDuration, type ProgressStream } from "./progress.js";
import { runRow } from "./run-row.js";
import { SamplesLog } from "./samples-log.js";

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
  /** Engine intra-op threads (threads). */
  threads?: number;
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

/** What a run produced. */
export interface RunSuiteResult {
  /** The run folder (absolute path). */
  runDir: string;
  /** Its summary. */
  summary: RunSummary;
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

/** Runs a suite; see the module comment. */
export async function runSuite(opts: RunSuiteOptions): Promise<RunSuiteResult> {
  const t0 = performance.now();
  const log =
    opts.log ??
    ((line: string) => process.stderr.write(`[${formatDuration(performance.now() - t0)}] ${line}\n`));
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    log(`warning: ${w}`);
  };
  const { suite } = opts;
  const device = opts.device ?? "cpu";
  const factoryCtx = { cacheDir: opts.cacheDir, dataDir: opts.dataDir, device, threads: opts.threads, log };

  // 1. Data for every row, before any model is built. Rows with token-length filters need their
  //    tokenizer, so their targets are made here (and kept for the row).
  const samplesByRow = new Map<string, BenchSample[]>();
  const earlyPairs = new Map<string, TargetPair>();
  const datasets: DatasetsFile = { rows: {}, issues: [] };
  const seenIssue = new Set<string>();
  for (const row of suite.rows) {
    let countTokens: ((t: string) => number) | undefined;
    if (row.datasets.some((d) => d.minPromptTokens !== undefined || d.maxPromptTokens !== undefined)) {
      const pair = await opts.factory(row, factoryCtx);
      earlyPairs.set(row.id, pair);
      countTokens = pair.countTokens;
    }
    const samples: BenchSample[] = [];
    datasets.rows[row.id] = [];
    for (const sel of row.datasets) {
      const d = await loadDataset(
        sel,
        { dataDir: opts.dataDir, seed: row.seed, verify: opts.verifyData, countTokens },
        opts.manifestDir,
      );
      samples.push(...d.samples);
      datasets.rows[row.id].push({
        name: d.name,
        files: d.files.length,
        available: d.availableCount,
        filtered: d.filteredCount,
        requested: d.requestedCount,
        drawn: d.samples.length,
      });
      if (d.samples.length < d.requestedCount)
        warn(WARNINGS.datasetShort(d.name, d.requestedCount, d.samples.length));
      const fresh = d.issues.filter((i) => !seenIssue.has(`${i.file}:${i.line}:${i.reason}`));
      for (const i of fresh) seenIssue.add(`${i.file}:${i.line}:${i.reason}`);
      if (fresh.length > 0) warn(WARNINGS.datasetIssues(d.name, fresh.length, fresh[0]));
      datasets.issues.push(...fresh);
    }
    if (samples.length === 0) throw new Error(`row ${row.id}: its datasets yielded no samples`);
    samplesByRow.set(row.id, samples);
  }
  const sampleIds = Object.fromEntries(
    suite.rows.map((r) => [r.id, samplesByRow.get(r.id)!.map((s) => s.id)]),
  );
  const config = buildRunConfig(suite, sampleIds, device, opts.threads);

  // 2. The run folder.
  let runDir: string;
  let env: RunEnv;
  if (opts.resumeDir) {
    runDir = realpathSync(opts.resumeDir); // never `reports/latest` itself: it is re-pointed below
    const old = readRunJson<RunConfig>(runDir, "config.json");
    if (old.configHash !== config.configHash) {
      const changed = suite.rows
        .filter(
          (r) =>
            JSON.stringify(old.suite.rows.find((o) => o.id === r.id)) !== JSON.stringify(r) ||
            JSON.stringify(old.sampleIds[r.id]) !== JSON.stringify(sampleIds[r.id]),
        )
        .map((r) => r.id);
      throw new Error(
        `--resume ${runDir}: configuration hash ${config.configHash.slice(0, 12)} differs from the run's ${old.configHash.slice(0, 12)} (suite, overrides, data, device or threads changed; rows differing: ${changed.join(", ") || "none — check suite name, device, threads"}). Resume with the same suite and options, or start a new run.`,
      );
    }
    env = readRunJson<RunEnv>(runDir, "env.json");
    env.resumedAt = [...(env.resumedAt ?? []), new Date().toISOString()];
    delete env.endedAt;
  } else {
    mkdirSync(opts.reportsDir, { recursive: true });
    const base = opts.runId ?? defaultRunId(suite.name);
    let id = base;
    for (let k = 2; existsSync(join(opts.reportsDir, id)); k++) id = `${base}-${k}`;
    runDir = join(opts.reportsDir, id);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "config.json"), toJson(config));
    env = collectEnv(opts.dataDir, warn);
  }
  writeFileSync(join(runDir, "env.json"), toJson(env));
  writeFileSync(join(runDir, "datasets.json"), toJson(datasets));
  log(`run folder: ${runDir}`);

  // 3. Rows.
  const samplesLog = new SamplesLog(join(runDir, "samples.jsonl"), warn);
  const mbFile = join(runDir, "microbench.json");
  let mb: MicrobenchResult[] = existsSync(mbFile)
    ? (JSON.parse(readFileSync(mbFile, "utf8")) as MicrobenchResult[])
    : [];
  try {
    for (const row of suite.rows) {
      const samples = samplesByRow.get(row.id)!;
      const calls = planCalls(samples, row.passes, row.batchSize);
      const total = row.repetitions * calls.length;
      const present = Array.from(
        { length: row.repetitions },
        (_, rep) => calls.filter((_, c) => samplesLog.has(row.id, rep, c)).length,
      ).reduce((a, b) => a + b, 0);
      const needMicro = suite.microbenchIterations > 0 && !mb.some((m) => m.row === row.id);
      if (present === total && !needMicro) {
        log(`row ${row.id}: complete in ${runDir}, skipped`);
        continue;
      }
      log(
        `row ${row.id}: ${row.model} (${row.scheme}), ${samples.length} samples × ${row.passes} pass(es), bs ${row.batchSize}, ${row.repetitions} reps`,
      );
      const pair = earlyPairs.get(row.id) ?? (await opts.factory(row, factoryCtx));
      earlyPairs.delete(row.id);
      env.targets[row.id] = pair.info;
      writeFileSync(join(runDir, "env.json"), toJson(env));
      try {
        await pair.prepare?.(samples);
        const progress = createProgress({ label: row.id, total, stream: opts.progressStream });
        await runRow({ row, samples, pair, log: samplesLog, clock: opts.clock, progress });
        progress.done();
        if (needMicro) {
          mb = mb.filter((m) => m.row !== row.id);
          mb.push(
            ...(await microbench(
              row.id,
              [pair.vi, pair.ee],
              calls[0],
              suite.microbenchIterations,
              opts.clock,
            )),
          );
          writeFileSync(mbFile, toJson(mb));
        }
      } finally {
        await pair.vi.close?.();
        await pair.ee.close?.();
      }
    }
  } finally {
    samplesLog.close();
    for (const p of earlyPairs.values()) {
      await p.vi.close?.();
      await p.ee.close?.();
    }
  }

  // 4. Report.
  env.endedAt = new Date().toISOString();
  writeFileSync(join(runDir, "env.json"), toJson(env));
  const summary = await writeReport(runDir, { warnings, render: opts.render });
  for (const w of summary.warnings.slice(warnings.length)) log(`warning: ${w}`);
  updateLatest(opts.reportsDir, relative(opts.reportsDir, runDir));
  return { runDir, summary };
}

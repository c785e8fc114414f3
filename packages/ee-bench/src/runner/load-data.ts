/**
 * Phase 1 of a suite run: every row's samples, loaded before any model is built so a missing file or
 * a malformed row fails the run before minutes of building. Rows with token-length filters need
 * their tokenizer, so their targets are made here and handed on to the build phase.
 */
import { loadDataset } from "../datasets/registry.js";
import type { DatasetsFile } from "../report/write-report.js";
import type { BenchSample, SuiteRow, TargetPair } from "../types.js";
import { WARNINGS } from "../warnings.js";
import type { RunContext } from "./run-context.js";

/** What the data phase produced. */
export interface SuiteData {
  /** Each row's samples, in run order, by row id. */
  samplesByRow: Map<string, BenchSample[]>;
  /** Targets already made for token counting, by row id; the build phase takes them over. */
  earlyPairs: Map<string, TargetPair>;
  /** `datasets.json`'s content. */
  datasets: DatasetsFile;
}

/** Loads one row's datasets into `data`; `seenIssue` de-duplicates issues shared between rows. */
async function loadRowData(
  ctx: RunContext,
  row: SuiteRow,
  data: SuiteData,
  seenIssue: Set<string>,
): Promise<void> {
  const { opts, warn } = ctx;
  let countTokens: ((t: string) => number) | undefined;
  if (row.datasets.some((d) => d.minPromptTokens !== undefined || d.maxPromptTokens !== undefined)) {
    const pair = await opts.factory(row, ctx.factoryCtx);
    data.earlyPairs.set(row.id, pair);
    countTokens = pair.countTokens;
  }
  const samples: BenchSample[] = [];
  data.datasets.rows[row.id] = [];
  for (const sel of row.datasets) {
    const d = await loadDataset(
      sel,
      { dataDir: opts.dataDir, seed: row.seed, verify: opts.verifyData, countTokens },
      opts.manifestDir,
    );
    samples.push(...d.samples);
    data.datasets.rows[row.id].push({
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
    data.datasets.issues.push(...fresh);
  }
  if (samples.length === 0) {
    const issues = data.datasets.issues.filter((i) => row.datasets.some((d) => d.name === i.dataset));
    const files = data.datasets.rows[row.id].map(
      (d) => `${d.name}: ${d.files} file(s), ${d.available} usable row(s)`,
    );
    throw new Error(
      `row ${row.id}: its datasets yielded no samples (${files.join("; ")}${issues.length > 0 ? `; ${issues.length} issue(s), first: ${issues[0].file}${issues[0].line !== undefined ? `:${issues[0].line}` : ""}: ${issues[0].reason}` : ""})`,
    );
  }
  data.samplesByRow.set(row.id, samples);
}

/** Loads every row's data; on failure, closes the targets made so far and rethrows. */
export async function loadSuiteData(ctx: RunContext): Promise<SuiteData> {
  const data: SuiteData = {
    samplesByRow: new Map(),
    earlyPairs: new Map(),
    datasets: { rows: {}, issues: [] },
  };
  const seenIssue = new Set<string>();
  try {
    for (const row of ctx.opts.suite.rows) await loadRowData(ctx, row, data, seenIssue);
  } catch (e) {
    await closeEarlyPairs(data);
    throw e;
  }
  return data;
}

/** Closes the targets the data phase made and the build phase did not take over. */
export async function closeEarlyPairs(data: SuiteData): Promise<void> {
  for (const p of data.earlyPairs.values()) {
    await p.vi.close?.();
    await p.ee.close?.();
  }
  data.earlyPairs.clear();
}

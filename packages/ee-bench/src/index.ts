/** ee-bench: datasets, the interleaved VI-vs-EE runner, Table 2, charts, and the `ee run/table/compare` commands. */

export type { CompareCliOptions } from "./cli/compare.js";
export { compareCommand } from "./cli/compare.js";
export type { RunCliOptions } from "./cli/run.js";
export { runCommand } from "./cli/run.js";
export type { TableCliOptions } from "./cli/table.js";
export { resolveRunDir, tableCommand } from "./cli/table.js";
export { compareRuns, formatCompare, loadRun } from "./compare/compare.js";
export type { CsvRecord } from "./datasets/csv.js";
export { parseCsv } from "./datasets/csv.js";
export {
  loadManifest,
  parseManifest,
  readManifestTsv,
  sha256File,
  verifyFiles,
} from "./datasets/manifest.js";
export { DATASET_FORMATS, loadDataset } from "./datasets/registry.js";
export { sampleRows, seededShuffle } from "./datasets/sampling.js";
export { benchmarksDir, manifestsDir, repoRoot, reportsDir, resolveBenchDataDir } from "./paths.js";
export type { BrowserCheckOptions, BrowserCheckResult } from "./report/browser-check.js";
export { checkReportInBrowser, findChromium } from "./report/browser-check.js";
export type { VlSpec } from "./report/charts.js";
export {
  buildCharts,
  deltaTChart,
  fidelityChart,
  latencyDistributionChart,
  latencyScatterChart,
} from "./report/charts.js";
export type { RunEnv } from "./report/env.js";
export { collectEnv } from "./report/env.js";
export { reportHtml } from "./report/html.js";
export { attachControls, compareWithControl, controlOf, INDISTINGUISHABLE } from "./report/noise-floor.js";
export { pairObservations } from "./report/pairs.js";
export { renderSvg, svgToPng } from "./report/render.js";
export { summarizeRow, summarizeRun } from "./report/summarize.js";
export { TABLE_COLUMNS, tableCsv, tableMarkdown, tableNotes, tableRows } from "./report/table.js";
export type { DatasetsFile, WriteReportOptions } from "./report/write-report.js";
export { readRunJson, toJson, writeReport } from "./report/write-report.js";
export type { AdaptiveDecision, AdaptiveState } from "./runner/adaptive.js";
export { adaptiveDecision, formatStop } from "./runner/adaptive.js";
export { buildRunConfig, canonicalJson } from "./runner/config-hash.js";
export { pairOrder, planCalls } from "./runner/interleave.js";
export { microbench } from "./runner/microbench.js";
export { currentLoad, overloaded, pinCpus, rowLoad } from "./runner/noise.js";
export type { Progress, ProgressOptions, ProgressStream } from "./runner/progress.js";
export { createProgress, formatDuration, progressLine } from "./runner/progress.js";
export type { RunRowOptions } from "./runner/run-row.js";
export { runRow } from "./runner/run-row.js";
export type { RunSuiteOptions, RunSuiteResult } from "./runner/run-suite.js";
export { runSuite, updateLatest } from "./runner/run-suite.js";
export type { ReadRecordsResult } from "./runner/samples-log.js";
export { pairKey, readSampleRecords, SamplesLog } from "./runner/samples-log.js";
export type { SuiteOverrides } from "./suite/load.js";
export { applyOverrides, listSuites, loadSuite } from "./suite/load.js";
export { parseSuite } from "./suite/schema.js";
export { modelTargetFactory } from "./targets/factory.js";
export type { CachedModels } from "./targets/model-cache.js";
export { ensureModels } from "./targets/model-cache.js";
export type {
  AdaptiveStop,
  BenchSample,
  BenchTarget,
  CompareResult,
  CompareRow,
  ControlComparison,
  DatasetFormat,
  DatasetIssue,
  DatasetLoadContext,
  DatasetManifest,
  DatasetSelection,
  FormatReadContext,
  FormatReadResult,
  LoadedDataset,
  MicrobenchResult,
  PaperReference,
  RowLoad,
  RowPairedDeltaT,
  RowSummary,
  RowTask,
  RunConfig,
  RunSummary,
  SampleRecord,
  Suite,
  SuiteRow,
  TargetFactory,
  TargetFactoryContext,
  TargetKind,
  TargetOutput,
  TargetPair,
} from "./types.js";
export type { WarningKey } from "./warnings.js";
export { formatIssue, WARNINGS } from "./warnings.js";

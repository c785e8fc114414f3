/**
 * Public types of ee-bench, one concept per file under `types/`, re-exported here so modules import
 * them from one place. Every field has a doc line and, where it has one, its unit.
 */

export type { CompareResult, CompareRow } from "./types/compare.js";
export type { DatasetIssue, DatasetLoadContext, DatasetSelection, LoadedDataset } from "./types/dataset.js";
export type { DatasetFormat, FormatReadContext, FormatReadResult } from "./types/dataset-format.js";
export type { DatasetManifest } from "./types/dataset-manifest.js";
export type { MicrobenchResult } from "./types/microbench.js";
export type { AdaptiveStop, ControlComparison, RowLoad, RowPairedDeltaT } from "./types/row-statistics.js";
export type { RunConfig } from "./types/run-config.js";
export type { BenchSample } from "./types/sample.js";
export type { SampleRecord } from "./types/sample-record.js";
export type {
  ExternalServers,
  PaperReference,
  RowServers,
  RowTask,
  ServeServers,
  Suite,
  SuiteRow,
} from "./types/suite.js";
export type { RowSummary, RunSummary, ServingStats } from "./types/summary.js";
export type {
  BenchTarget,
  TargetFactory,
  TargetFactoryContext,
  TargetKind,
  TargetOutput,
  TargetPair,
} from "./types/target.js";

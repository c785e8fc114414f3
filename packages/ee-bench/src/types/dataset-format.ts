/** File formats a dataset can be read from. */

import type { DatasetIssue } from "./dataset.js";
import type { BenchSample } from "./sample.js";

/** What a file-format reader gets besides the path. */
export interface FormatReadContext {
  /** Registry name of the dataset being read, for issues (text). */
  dataset: string;
  /** The data directory, to print paths relative to it (absolute path). */
  dataDir: string;
  /** MT-Bench: which turn is the prompt (turn index, 1 or 2). */
  turn: 1 | 2;
}

/** Rows parsed from one file or folder, before sampling. */
export interface FormatReadResult {
  /** Valid rows in file order (samples). */
  rows: BenchSample[];
  /** Malformed or unreadable rows (rows). */
  issues: DatasetIssue[];
  /** Valid rows dropped by rule, e.g. a conversation not starting with a human turn (rows). */
  filteredCount: number;
  /** Files read, relative to the data directory (paths). */
  files: string[];
}

/** One file format, registered by name in `datasets/registry.ts`. */
export interface DatasetFormat {
  /** Registry key, e.g. `aclimdb`, `jsonl-mtbench`, `sharegpt-json` (text). */
  name: string;
  /** One line for listings (text). */
  description: string;
  /** Parses a file or folder (absolute path). */
  read(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult>;
}

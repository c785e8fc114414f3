/** `config.json`: what a run ran, exactly. */
import type { Suite } from "./suite.js";

/** `config.json`: what was run, exactly. Its hash guards `--resume`. */
export interface RunConfig {
  /** Config format version. */
  v: 1;
  /** Suite as resolved. */
  suite: Suite;
  /** Sample ids per row, in run order (ids). */
  sampleIds: Record<string, string[]>;
  /** sha256 over suite + sample ids (hex). */
  configHash: string;
  /** Execution provider (text). */
  device: string;
  /** Engine intra-op threads, absent = default (threads). */
  threads?: number;
}

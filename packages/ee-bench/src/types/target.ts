/**
 * Targets: the plain and encrypted sides a row times, and the factory that makes them. The runner
 * only knows these abstract types; real targets live in `src/targets/`, fake ones in tests.
 */
import type { BenchSample } from "./sample.js";
import type { SuiteRow } from "./suite.js";

/** Vanilla (plain) or encrypted inference. */
export type TargetKind = "vi" | "ee";

/** What a target returns for one sample. */
export interface TargetOutput {
  /** Predicted class (classifiers) or first generated token id, decrypted (id). */
  predicted: number;
  /** Softmax probability of `predicted` (0..1). */
  confidence: number;
  /** The logits `predicted` came from (class logits, or first-step vocabulary logits), decrypted (logits). */
  logits?: Float32Array;
  /** Generated token ids, decrypted (ids); generation rows only. */
  tokens?: number[];
}

/** Something that runs a batch of samples: a plain or an encrypted model plus (for EE) its client. */
export interface BenchTarget {
  /** Which side of the comparison this is. */
  readonly kind: TargetKind;
  /** One call over a batch; one output per sample in order. EE includes the client's encrypt/decrypt. */
  run(batch: readonly BenchSample[]): Promise<TargetOutput[]>;
  /** Frees sessions (optional). */
  close?(): Promise<void>;
}

/** The two targets of a row plus facts about how they were made. */
export interface TargetPair {
  /** Plain model. */
  vi: BenchTarget;
  /** Encrypted model + client. */
  ee: BenchTarget;
  /** Facts for config/env (model dirs, key fingerprint, build and encrypt seconds…) (JSON values). */
  info: Record<string, unknown>;
  /** Token counter of the row's tokenizer, used by dataset length filters (tokens per text). */
  countTokens?: (text: string) => number;
  /** Untimed preparation of the row's samples (e.g. tokenizing once), called before warm-up. */
  prepare?(samples: readonly BenchSample[]): Promise<void>;
}

/** Context a target factory runs in. */
export interface TargetFactoryContext {
  /** Where built/encrypted models are cached (absolute path). */
  cacheDir: string;
  /** The data directory (absolute path). */
  dataDir: string;
  /** Execution provider, `cpu` (default) or `cuda` (text). */
  device: string;
  /** Engine intra-op threads; absent = the engine's default (threads). */
  threads?: number;
  /** Progress/log line sink (text). */
  log: (line: string) => void;
}

/** Builds or loads the plain and encrypted targets of a row. */
export type TargetFactory = (row: SuiteRow, ctx: TargetFactoryContext) => Promise<TargetPair>;

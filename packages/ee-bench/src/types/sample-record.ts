/** A timed call as written to `samples.jsonl`. */
import type { TargetKind } from "./target.js";

/** One timed call, one line of `samples.jsonl`. A call covers `batchSize` samples (1 for bs 1 rows). */
export interface SampleRecord {
  /** Record format version. */
  v: 1;
  /** Suite row id (text). */
  row: string;
  /** Repetition index, 0-based (index). */
  rep: number;
  /** Call index within the repetition, 0-based, over passes × batches (index). */
  call: number;
  /** Which target ran. */
  target: TargetKind;
  /** Position of this target within its interleaved pair: 0 ran first, 1 second (index). */
  order: 0 | 1;
  /** Ids of the samples in the call (ids). */
  sampleIds: string[];
  /** Wall time of the call, EE including the client's encrypt/decrypt (ms). */
  latencyMs: number;
  /** Predicted class / first token per sample (ids). */
  predicted: number[];
  /** Confidence of the prediction per sample (0..1). */
  confidence: number[];
  /** Short sha256 of each sample's logits as float32 bytes; empty string when not returned (hex). */
  logitDigest: string[];
  /** EE records: max over the call's samples of max |logit_EE − logit_VI|; VI records: 0; null when logits were not returned (logits). */
  maxAbsLogitDiff: number | null;
  /** Generated tokens per sample (generation rows) (tokens). */
  generatedTokens?: number[];
}

/**
 * The classify loop shared by every classifier (plain over an engine, or encrypted through the
 * client): tokenize or truncate, split into batches, run, softmax → one `Classification` per input.
 */
import type { IdSequences } from "../engines/engine.js";
import type { Classification, ClassifierOutput, ClassifyOptions } from "../types.js";
import { chunk, softmax, truncateKeepLast } from "./batch.js";

/** What `classifyBatches` needs of a classifier: plain-id tokenization and one call on ragged ids. */
export interface IdClassifier {
  /** Largest sequence the model takes (tokens). */
  readonly maxLength: number;
  /** Token ids of `text`, truncated to `maxLength` keeping the closing token. */
  tokenize(text: string, maxLength?: number): number[];
  /** One call on ragged plain ids (the callee pads) → plain-order class logits. */
  classifyIds(seqs: IdSequences): Promise<ClassifierOutput>;
}

/**
 * The classify loop shared by the plain and the encrypted classifier: tokenize or truncate, split
 * into batches, run (the classifier pads), softmax → one `Classification` per input.
 */
export async function classifyBatches(
  model: IdClassifier,
  labels: readonly string[],
  inputs: readonly string[] | readonly (readonly number[])[],
  opts: ClassifyOptions = {},
): Promise<Classification[]> {
  const maxLength = Math.min(opts.maxLength ?? model.maxLength, model.maxLength);
  const seqs = inputs.map((x) =>
    typeof x === "string" ? model.tokenize(x, maxLength) : truncateKeepLast(x, maxLength),
  );
  const results: Classification[] = [];
  for (const part of chunk(seqs, opts.batchSize ?? 1)) {
    const out = await model.classifyIds(part);
    const L = out.numLabels;
    part.forEach((seq, b) => {
      const logits = Array.from(out.logits.subarray(b * L, (b + 1) * L)); // [L]
      const probs = softmax(logits);
      const labelId = probs.indexOf(Math.max(...probs));
      results.push({
        logits,
        probs,
        labelId,
        label: labels[labelId],
        confidence: probs[labelId],
        latencyMs: out.latencyMs / part.length,
        numTokens: seq.length,
      });
    });
  }
  return results;
}

/** `inferClassifier`'s result for one classification: probabilities by label and the printable lines. */
export function classifierInference(labels: readonly string[], result: Classification): ClassifierInference {
  const probs: Record<string, number> = {};
  labels.forEach((l, i) => {
    probs[l] = result.probs[i];
  });
  const lines = labels.map((l, i) => `  ${l.padEnd(12)} ${(result.probs[i] * 100).toFixed(2).padStart(6)} %`);
  const head = `label: ${result.label} (${(result.confidence * 100).toFixed(2)} %, ${result.numTokens} tokens, ${result.latencyMs.toFixed(1)} ms)`;
  return { label: result.label, probs, result, printable: [head, ...lines].join("\n") };
}

/** Result of `inferClassifier`. */
export interface ClassifierInference {
  /** Predicted class name. */
  label: string;
  /** Probability per class name (probabilities). */
  probs: Record<string, number>;
  /** The full classification. */
  result: Classification;
  /** Human-readable lines for the CLI. */
  printable: string;
}

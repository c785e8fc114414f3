/**
 * ClassifierSession: a BERT/RoBERTa model folder opened for inference.
 *   classify(texts | ids)  tokenize (local tokenizer), truncate, pad per batch, run, softmax
 *   runIds(batch)          one onnxruntime call on a pre-tokenized padded batch (what the
 *                          encrypted client wraps: it passes encrypted ids)
 * `inferClassifier(dir, text)` is the one-shot form behind `ee infer`.
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { createSession, type OrtSession, type OrtValueMap, outputF32, tensorI64 } from "../backend/ort.js";
import { maxSequenceLength } from "../bert/config.js";
import { ENCODER_VARIANTS } from "../bert/variant.js";
import { readModelFolder } from "../folder.js";
import { loadTokenizer } from "../tokenizers/load.js";
import type {
  BertConfig,
  Classification,
  ClassifierOutput,
  ClassifyOptions,
  IdBatch,
  ModelFolder,
  SessionOptions,
} from "../types.js";
import { chunk, padBatch, softmax, truncateKeepLast } from "./batch.js";

/** Options of `ClassifierSession.open`. */
export interface ClassifierSessionOptions extends SessionOptions {
  /** Load the folder's tokenizer (default: when the folder has one). Encrypted folders have none. */
  loadTokenizer?: boolean;
}

export class ClassifierSession {
  /** The opened folder. */
  readonly folder: ModelFolder;
  /** Its config. */
  readonly cfg: BertConfig;
  /** Longest input the model accepts (tokens). */
  readonly maxLength: number;
  private readonly session: OrtSession;
  private readonly tokenizer: PreTrainedTokenizer | undefined;
  private readonly takesTokenTypes: boolean;

  private constructor(folder: ModelFolder, session: OrtSession, tokenizer: PreTrainedTokenizer | undefined) {
    this.folder = folder;
    this.cfg = folder.cfg as BertConfig;
    const variant = ENCODER_VARIANTS[folder.arch as "bert" | "roberta"];
    this.maxLength = maxSequenceLength(variant, this.cfg);
    this.session = session;
    this.tokenizer = tokenizer;
    this.takesTokenTypes = session.inputNames.includes("token_type_ids");
  }

  /** Open a classifier model folder. */
  static async open(dir: string, opts: ClassifierSessionOptions = {}): Promise<ClassifierSession> {
    const folder = readModelFolder(dir);
    if (!(folder.arch in ENCODER_VARIANTS))
      throw new Error(
        `model folder ${folder.dir}: model_type ${folder.arch} is not a sequence classifier (bert, roberta)`,
      );
    const wantTokenizer = opts.loadTokenizer ?? folder.hasTokenizer;
    const tokenizer = wantTokenizer ? await loadTokenizer(folder.dir) : undefined;
    const session = await createSession(folder.onnxPath, opts);
    return new ClassifierSession(folder, session, tokenizer);
  }

  /** Token ids of `text` with special tokens, truncated to `maxLength` keeping the closing token. */
  tokenize(text: string, maxLength = this.maxLength): number[] {
    if (!this.tokenizer)
      throw new Error(`model folder ${this.folder.dir}: no tokenizer loaded (pass token ids instead)`);
    return truncateKeepLast(this.tokenizer.encode(text), Math.min(maxLength, this.maxLength));
  }

  /** One onnxruntime call on a padded batch → logits `[B, numLabels]`. */
  async runIds(batch: IdBatch): Promise<ClassifierOutput> {
    const { batchSize: B, seqLen: T } = batch;
    if (batch.inputIds.length !== B * T || batch.attentionMask.length !== B * T) {
      throw new Error(`runIds: input_ids/attention_mask must hold batchSize·seqLen = ${B}·${T} values`);
    }
    if (T > this.maxLength)
      throw new Error(`runIds: seqLen ${T} exceeds the model's ${this.maxLength} positions`);
    const feeds: OrtValueMap = {
      input_ids: tensorI64(batch.inputIds, [B, T]),
      attention_mask: tensorI64(batch.attentionMask, [B, T]),
    };
    if (this.takesTokenTypes)
      feeds.token_type_ids = tensorI64(batch.tokenTypeIds ?? new BigInt64Array(B * T), [B, T]);
    const t0 = performance.now();
    const out = await this.session.run(feeds);
    const latencyMs = performance.now() - t0;
    return { logits: outputF32(out, "logits"), batchSize: B, numLabels: this.cfg.numLabels, latencyMs };
  }

  /** Classify texts (tokenized here) or token-id sequences (already with special tokens). */
  async classify(
    inputs: readonly string[] | readonly (readonly number[])[],
    opts: ClassifyOptions = {},
  ): Promise<Classification[]> {
    return classifyBatches(this, this.cfg.id2label, this.cfg.padTokenId, inputs, opts);
  }

  /** Release the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** What `classifyBatches` needs of a session: plain-id tokenization and one call on a padded batch. */
export interface IdClassifier {
  /** Largest sequence the model takes (tokens). */
  readonly maxLength: number;
  /** Token ids of `text`, truncated to `maxLength` keeping the closing token. */
  tokenize(text: string, maxLength?: number): number[];
  /** One call on a padded batch of plain ids → plain-order class logits. */
  runIds(batch: IdBatch): Promise<ClassifierOutput>;
}

/**
 * The classify loop shared by the plain and the encrypted classifier: tokenize or truncate, split
 * into batches, pad with `padId`, run, softmax → one `Classification` per input.
 */
export async function classifyBatches(
  model: IdClassifier,
  labels: readonly string[],
  padId: number,
  inputs: readonly string[] | readonly (readonly number[])[],
  opts: ClassifyOptions = {},
): Promise<Classification[]> {
  const maxLength = Math.min(opts.maxLength ?? model.maxLength, model.maxLength);
  const seqs = inputs.map((x) =>
    typeof x === "string" ? model.tokenize(x, maxLength) : truncateKeepLast(x, maxLength),
  );
  const results: Classification[] = [];
  for (const part of chunk(seqs, opts.batchSize ?? 1)) {
    const out = await model.runIds(padBatch(part, padId, opts.padToMaxLength ? maxLength : undefined));
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

/** Classify one text with a plain model folder (behind `ee infer` for classifiers). */
export async function inferClassifier(
  dir: string,
  text: string,
  opts: SessionOptions & ClassifyOptions = {},
): Promise<ClassifierInference> {
  const s = await ClassifierSession.open(dir, opts);
  try {
    const [result] = await s.classify([text], opts);
    return classifierInference(s.cfg.id2label, result);
  } finally {
    await s.dispose();
  }
}

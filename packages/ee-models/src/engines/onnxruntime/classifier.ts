/**
 * ClassifierSession: a BERT/RoBERTa model folder opened in onnxruntime.
 *   classify(texts | ids)  tokenize (local tokenizer), truncate, pad per batch, run, softmax
 *   classifyIds(seqs)      right-pad ragged ids with the config's pad id, one call
 *   runIds(batch)          one onnxruntime call on a pre-tokenized padded batch
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { maxSequenceLength } from "../../bert/config.js";
import { ENCODER_VARIANTS } from "../../bert/variant.js";
import { readModelFolder } from "../../folder.js";
import { padBatch, truncateKeepLast } from "../../runner/batch.js";
import { classifyBatches } from "../../runner/classifier.js";
import { loadTokenizer } from "../../tokenizers/load.js";
import type {
  BertConfig,
  Classification,
  ClassifierOutput,
  ClassifyOptions,
  IdBatch,
  ModelFolder,
} from "../../types.js";
import type { IdSequences } from "../engine.js";
import {
  createSession,
  type OrtSession,
  type OrtValueMap,
  outputF32,
  type SessionOptions,
  tensorI64,
} from "./runtime.js";

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
    const V = BigInt(this.cfg.vocabSize);
    for (const id of batch.inputIds)
      if (id < 0n || id >= V)
        throw new Error(`${this.folder.dir}: token id ${id} is outside the vocabulary [0, ${V})`);
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

  /** Right-pad ragged id sequences with the config's pad id and run them in one call. */
  async classifyIds(seqs: IdSequences): Promise<ClassifierOutput> {
    seqs.forEach((s, b) => {
      if (s.length === 0) throw new Error(`${this.folder.dir}: sequence ${b} is empty`);
    });
    return this.runIds(padBatch(seqs, this.cfg.padTokenId));
  }

  /** Classify texts (tokenized here) or token-id sequences (already with special tokens). */
  async classify(
    inputs: readonly string[] | readonly (readonly number[])[],
    opts: ClassifyOptions = {},
  ): Promise<Classification[]> {
    return classifyBatches(this, this.cfg.id2label, inputs, opts);
  }

  /** Release the onnxruntime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

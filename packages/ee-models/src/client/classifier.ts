/**
 * `EncryptedClassifier`: the client protocol around a `ClassifierSession` over an encrypted folder.
 * One `runIds` call is one complete EE request — encrypt ids, server call, decrypt class logits — so
 * a benchmark that times it times the client's work too (DESIGN.md §6).
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { truncateKeepLast } from "../runner/batch.js";
import { ClassifierSession, classifyBatches } from "../runner/classifier.js";
import type { Classification, ClassifierOutput, ClassifyOptions, IdBatch, SessionOptions } from "../types.js";
import { EEClient } from "./client.js";
import { type ClientTokenizerOptions, loadClientTokenizer } from "./tokenizer.js";

/** Options of `EncryptedClassifier.open`. */
export interface EncryptedClassifierOptions extends SessionOptions, ClientTokenizerOptions {}

/** Class logits of one EE request, in plain label order. */
export interface EncryptedClassifierOutput extends ClassifierOutput {
  /** Wall time of the whole request: encrypt + onnxruntime + decrypt (ms); `latencyMs` is the same. */
  latencyMs: number;
  /** Of which the onnxruntime call (ms). */
  serverMs: number;
  /** Of which the client's encryption and decryption (ms). */
  clientMs: number;
}

/** An encrypted BERT/RoBERTa classifier driven through the client protocol. */
export class EncryptedClassifier {
  /** The validated key and its codec. */
  readonly client: EEClient;
  /** The server side: a plain runner over the encrypted folder (sees only encrypted ids). */
  readonly session: ClassifierSession;
  /** Plain class names (from the key's metadata, else the folder's config). */
  readonly labels: string[];
  private readonly tokenizer: PreTrainedTokenizer | undefined;

  private constructor(
    client: EEClient,
    session: ClassifierSession,
    tokenizer: PreTrainedTokenizer | undefined,
  ) {
    this.client = client;
    this.session = session;
    this.tokenizer = tokenizer;
    this.labels = client.plainLabels() ?? session.cfg.id2label;
  }

  /** Open `encDir` with the key at `keyPath` (checked against ee.json first). */
  static async open(
    encDir: string,
    keyPath: string,
    opts: EncryptedClassifierOptions = {},
  ): Promise<EncryptedClassifier> {
    const client = EEClient.open(encDir, keyPath);
    const tokenizer = await loadClientTokenizer(client.manifest, opts, encDir);
    const session = await ClassifierSession.open(encDir, { ...opts, loadTokenizer: false });
    return new EncryptedClassifier(client, session, tokenizer);
  }

  /** The model's padding id in PLAIN token space (the client pads before encrypting). */
  get plainPadId(): number {
    return this.client.decryptIds([this.session.cfg.padTokenId])[0];
  }

  /** Largest sequence the encrypted model takes (tokens). */
  get maxLength(): number {
    return this.session.maxLength;
  }

  /** One EE request on a padded batch of PLAIN ids → plain-order class logits `[B, L]`. */
  async runIds(batch: IdBatch): Promise<EncryptedClassifierOutput> {
    const t0 = performance.now();
    const encrypted: IdBatch = { ...batch, inputIds: this.client.encryptIds(batch.inputIds) };
    const t1 = performance.now();
    const out = await this.session.runIds(encrypted);
    const t2 = performance.now();
    const logits = this.client.decryptClassLogits(out.logits, out.numLabels);
    const t3 = performance.now();
    return { ...out, logits, latencyMs: t3 - t0, serverMs: t2 - t1, clientMs: t1 - t0 + (t3 - t2) };
  }

  /** Token ids of `text` (the client's plain tokenizer), truncated keeping the closing token. */
  tokenize(text: string, maxLength = this.session.maxLength): number[] {
    if (!this.tokenizer)
      throw new Error(
        `encrypted classifier ${this.client.encDir}: no client tokenizer (give tokenizerDir or tokenizer)`,
      );
    return truncateKeepLast(this.tokenizer.encode(text), Math.min(maxLength, this.session.maxLength));
  }

  /** Classify texts or plain id sequences; results as the plain `ClassifierSession.classify` gives them. */
  async classify(
    inputs: readonly string[] | readonly (readonly number[])[],
    opts: ClassifyOptions = {},
  ): Promise<Classification[]> {
    return classifyBatches(this, this.labels, this.plainPadId, inputs, opts);
  }

  /** Release the session. */
  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

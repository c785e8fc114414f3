/**
 * `EncryptedClassifier`: an encrypted BERT/RoBERTa folder in any engine, driven through the client
 * protocol (`EncryptedEngine`). One `classifyIds` call is one complete EE request — encrypt ids,
 * engine call, decrypt class logits — so a benchmark that times it times the client's work too.
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import type { EngineOptions, IdSequences } from "../engines/engine.js";
import { DEFAULT_ENGINE, getEngine } from "../engines/registry.js";
import { readModelFolder } from "../folder.js";
import { truncateKeepLast } from "../runner/batch.js";
import { classifyBatches } from "../runner/classifier.js";
import type { BertConfig, Classification, ClassifierOutput, ClassifyOptions, IdBatch } from "../types.js";
import type { EEClient } from "./client.js";
import { EncryptedEngine } from "./engine.js";
import { type ClientTokenizerOptions, loadClientTokenizer } from "./tokenizer.js";

/** Options of `EncryptedClassifier.open`. */
export interface EncryptedClassifierOptions extends EngineOptions, ClientTokenizerOptions {
  /** Registry name of the engine that runs the encrypted folder; default `DEFAULT_ENGINE`. */
  engine?: string;
}

/** Class logits of one EE request, in plain label order. */
export interface EncryptedClassifierOutput extends ClassifierOutput {
  /** Wall time of the whole request: encrypt + engine + decrypt (ms); `latencyMs` is the same. */
  latencyMs: number;
  /** Of which the engine call (ms). */
  serverMs: number;
  /** Of which the client's encryption and decryption (ms). */
  clientMs: number;
}

/** The real (unpadded) sequences of a right-padded batch. */
function unpad(batch: IdBatch): number[][] {
  const { batchSize: B, seqLen: T } = batch;
  if (batch.inputIds.length !== B * T || batch.attentionMask.length !== B * T)
    throw new Error(`runIds: input_ids/attention_mask must hold batchSize·seqLen = ${B}·${T} values`);
  return Array.from({ length: B }, (_, b) => {
    const row: number[] = [];
    for (let t = 0; t < T; t++)
      if (batch.attentionMask[b * T + t] !== 0n) row.push(Number(batch.inputIds[b * T + t]));
    return row;
  });
}

/** An encrypted BERT/RoBERTa classifier driven through the client protocol. */
export class EncryptedClassifier {
  /** The client over the engine that runs the encrypted folder. */
  readonly engine: EncryptedEngine;
  /** Plain class names (from the key's metadata, else the folder's config). */
  readonly labels: string[];
  private readonly cfg: BertConfig;
  private readonly tokenizer: PreTrainedTokenizer | undefined;

  private constructor(engine: EncryptedEngine, cfg: BertConfig, tokenizer: PreTrainedTokenizer | undefined) {
    this.engine = engine;
    this.cfg = cfg;
    this.tokenizer = tokenizer;
    this.labels = engine.client.plainLabels() ?? cfg.id2label;
  }

  /** Open `encDir` with the key at `keyPath` (checked against ee.json first). */
  static async open(
    encDir: string,
    keyPath: string,
    opts: EncryptedClassifierOptions = {},
  ): Promise<EncryptedClassifier> {
    const { engine: name, tokenizerDir, tokenizer: tokName, dataDir, ...engineOpts } = opts;
    const factory = getEngine(name ?? DEFAULT_ENGINE);
    const folder = readModelFolder(encDir);
    const engine = await EncryptedEngine.open(factory, encDir, keyPath, engineOpts);
    if (engine.task !== "classify") {
      await engine.close();
      throw new Error(`encrypted folder ${encDir}: a ${folder.arch} model, not a sequence classifier`);
    }
    const tokenizer = await loadClientTokenizer(
      engine.client.manifest,
      {
        tokenizerDir,
        tokenizer: tokName,
        dataDir,
      },
      encDir,
    );
    return new EncryptedClassifier(engine, folder.cfg as BertConfig, tokenizer);
  }

  /** The validated key and its codec. */
  get client(): EEClient {
    return this.engine.client;
  }

  /** The model's padding id in PLAIN token space. */
  get plainPadId(): number {
    return this.client.decryptIds([this.cfg.padTokenId])[0];
  }

  /** Largest sequence the encrypted model takes (tokens). */
  get maxLength(): number {
    return this.engine.maxPositions;
  }

  /** One EE request on ragged PLAIN id sequences → plain-order class logits `[B, L]`. */
  async classifyIds(seqs: IdSequences): Promise<EncryptedClassifierOutput> {
    const out = await this.engine.classify(seqs);
    const [B, L] = out.logits.dims as [number, number];
    return { ...out, logits: out.logits.data, batchSize: B, numLabels: L };
  }

  /** One EE request on a right-padded batch of PLAIN ids (the padding is dropped; the engine re-pads). */
  async runIds(batch: IdBatch): Promise<EncryptedClassifierOutput> {
    return this.classifyIds(unpad(batch));
  }

  /** Token ids of `text` (the client's plain tokenizer), truncated keeping the closing token. */
  tokenize(text: string, maxLength = this.maxLength): number[] {
    if (!this.tokenizer)
      throw new Error(
        `encrypted classifier ${this.client.encDir}: no client tokenizer (give tokenizerDir or tokenizer)`,
      );
    return truncateKeepLast(this.tokenizer.encode(text), Math.min(maxLength, this.maxLength));
  }

  /** Classify texts or plain id sequences; results as a plain classifier gives them. */
  async classify(
    inputs: readonly string[] | readonly (readonly number[])[],
    opts: ClassifyOptions = {},
  ): Promise<Classification[]> {
    return classifyBatches(this, this.labels, inputs, opts);
  }

  /** Release the engine. */
  async dispose(): Promise<void> {
    await this.engine.close();
  }
}

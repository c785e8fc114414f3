/**
 * A thin transformers.js wrapper: the encrypted folder is loaded by transformers.js exactly like a
 * plain one (config.json + onnx/model.onnx), the client maps ids in (π) and logits / generated ids out.
 */
import {
  AutoModelForCausalLM,
  AutoModelForSequenceClassification,
  type PreTrainedModel,
  Tensor,
} from "@huggingface/transformers";
import { getArchitecture } from "../registry.js";
import { useLocalFilesOnly } from "../tokenizers/load.js";
import type { ModelTask } from "../types.js";
import { EEClient } from "./client.js";

/** The transformers.js auto class per task (a table). */
const AUTO_CLASS: Record<ModelTask, { from_pretrained: typeof AutoModelForCausalLM.from_pretrained }> = {
  "sequence-classification": AutoModelForSequenceClassification,
  "causal-lm": AutoModelForCausalLM,
};

/** Logits of one forward call, in plain order. */
export interface TransformersJsLogits {
  /** Logits, row-major (nats, unnormalised): `[B, L]` for classifiers, `[B, T, V]` for causal LMs. */
  logits: Float32Array;
  /** Their dimensions. */
  dims: number[];
}

function int64(rows: readonly (readonly number[])[]): Tensor {
  const T = rows[0]?.length ?? 0;
  if (rows.length === 0 || T === 0 || rows.some((r) => r.length !== T)) {
    throw new Error("transformers.js wrapper: ids must be a non-empty rectangular [B][T] array");
  }
  return new Tensor(
    "int64",
    BigInt64Array.from(rows.flat(), (x) => BigInt(x)),
    [rows.length, T],
  );
}

/** An encrypted model loaded by transformers.js, driven through the client protocol. */
export class TransformersJsEncryptedModel {
  /** The validated key. */
  readonly client: EEClient;
  /** The transformers.js model over the encrypted folder (sees only encrypted ids). */
  readonly model: PreTrainedModel;
  /** What the model computes. */
  readonly task: ModelTask;

  private constructor(client: EEClient, model: PreTrainedModel, task: ModelTask) {
    this.client = client;
    this.model = model;
    this.task = task;
  }

  /** Check the key against `encDir/ee.json`, then load the folder with transformers.js (local files only). */
  static async open(encDir: string, keyPath: string): Promise<TransformersJsEncryptedModel> {
    const client = EEClient.open(encDir, keyPath);
    const task = getArchitecture(client.manifest.architecture).task;
    useLocalFilesOnly();
    const model = await AUTO_CLASS[task].from_pretrained(encDir, {
      local_files_only: true,
      dtype: "fp32",
      device: "cpu",
    });
    return new TransformersJsEncryptedModel(client, model, task);
  }

  /** One forward call on PLAIN ids `[B][T]` (mask default all ones) → plain-order logits. */
  async forward(
    inputIds: readonly (readonly number[])[],
    attentionMask?: readonly (readonly number[])[],
  ): Promise<TransformersJsLogits> {
    const enc = inputIds.map((r) => this.client.encryptIds(r.slice()));
    const mask = attentionMask ?? inputIds.map((r) => r.map(() => 1));
    const out = (await this.model({ input_ids: int64(enc), attention_mask: int64(mask) })) as {
      logits: Tensor;
    };
    const raw = out.logits.data as Float32Array;
    const dims = [...out.logits.dims];
    const logits =
      this.task === "causal-lm"
        ? this.client.decryptLogits(raw)
        : this.client.decryptClassLogits(raw, dims[dims.length - 1]);
    if (this.task === "causal-lm") dims[dims.length - 1] = this.client.codec.vocabSize; // V' → V (homophonic)
    return { logits, dims };
  }

  /** Greedy generation by transformers.js on the encrypted model; returns the new PLAIN ids per row. */
  async generateGreedy(prompts: readonly (readonly number[])[], maxNewTokens: number): Promise<number[][]> {
    if (this.task !== "causal-lm") throw new Error(`generateGreedy: the model is a ${this.task} model`);
    const enc = prompts.map((r) => this.client.encryptIds(r.slice()));
    const seq = (await this.model.generate({
      input_ids: int64(enc),
      attention_mask: int64(prompts.map((r) => r.map(() => 1))),
      max_new_tokens: maxNewTokens,
      do_sample: false,
    })) as Tensor;
    const T = prompts[0].length;
    return (seq.tolist() as bigint[][]).map((row) => this.client.decryptIds(row.slice(T).map(Number)));
  }

  /** Release the model. */
  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

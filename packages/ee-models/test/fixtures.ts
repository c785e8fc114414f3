/** Shared test fixtures: tiny configs, seeded weights, padded random batches, temp dirs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom, type RandomSource } from "ee-core";
import type { ReferenceBatch } from "../src/bert/reference.js";
import type { OrtValueMap } from "../src/engines/onnxruntime/runtime.js";
import { tensorI64From } from "../src/engines/onnxruntime/runtime.js";

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ee-models-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A tiny BERT/RoBERTa config.json with a small vocabulary (fast reference forward). */
export function tinyEncoderJson(
  modelType: "bert" | "roberta",
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    model_type: modelType,
    vocab_size: 97,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 40,
    max_position_embeddings: 40,
    type_vocab_size: modelType === "bert" ? 2 : 1,
    layer_norm_eps: modelType === "bert" ? 1e-12 : 1e-5,
    pad_token_id: modelType === "bert" ? 0 : 1,
    initializer_range: 0.2, // larger than HF's 0.02 so that logits differ visibly between inputs
    num_labels: 3,
    ...over,
  };
}

/**
 * Random ids with right padding: row b has `lengths[b]` real tokens (ids avoid the pad id), the
 * rest are pad with mask 0. BERT token types: 0 then 1 halfway.
 */
export function paddedBatch(
  rng: RandomSource,
  vocab: number,
  pad: number,
  lengths: number[],
  T: number,
): ReferenceBatch {
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const tokenTypeIds: number[][] = [];
  for (const len of lengths) {
    const ids: number[] = [];
    for (let t = 0; t < T; t++) {
      let id = pad;
      if (t < len) while (id === pad) id = rng.int(vocab);
      ids.push(id);
    }
    inputIds.push(ids);
    attentionMask.push(ids.map((_, t) => (t < len ? 1 : 0)));
    tokenTypeIds.push(ids.map((_, t) => (t < len && t >= len / 2 ? 1 : 0)));
  }
  return { inputIds, attentionMask, tokenTypeIds };
}

/** onnxruntime feeds for a reference batch. */
export function feedsOf(batch: ReferenceBatch, withTypes: boolean): OrtValueMap {
  const B = batch.inputIds.length;
  const T = batch.inputIds[0].length;
  const feeds: OrtValueMap = {
    input_ids: tensorI64From(batch.inputIds.flat(), [B, T]),
    attention_mask: tensorI64From(batch.attentionMask.flat(), [B, T]),
  };
  if (withTypes)
    feeds.token_type_ids = tensorI64From(
      (batch.tokenTypeIds ?? batch.inputIds.map((r) => r.map(() => 0))).flat(),
      [B, T],
    );
  return feeds;
}

/** A seeded random source. */
export function seeded(seed: string): RandomSource {
  return createRandom({ seed });
}

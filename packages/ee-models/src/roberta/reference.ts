/** RoBERTa reference forward (float64, no ONNX Runtime): the BERT reference with the RoBERTa variant. */
import type { StateDict } from "ee-core";
import { encoderReferenceLogits, type ReferenceBatch } from "../bert/reference.js";
import { ROBERTA_VARIANT } from "../bert/variant.js";
import type { BertConfig } from "../types.js";

/** RoBERTa reference logits `[B][numLabels]` (positions from `cfg.padTokenId`, HF convention). */
export function robertaReferenceLogits(cfg: BertConfig, sd: StateDict, batch: ReferenceBatch): number[][] {
  return encoderReferenceLogits(ROBERTA_VARIANT, cfg, sd, batch);
}

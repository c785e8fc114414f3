/**
 * RoBERTa for sequence classification, as a registry entry: the BERT encoder with HF RoBERTa's
 * padding-offset positions, a one-row token-type table, no pooler and the dense+tanh+out_proj head.
 */
import { encoderArchitecture } from "../bert/architecture.js";
import { ROBERTA_VARIANT } from "../bert/variant.js";
import type { Architecture, BertConfig } from "../types.js";

/** `RobertaForSequenceClassification`. */
export const robertaArchitecture: Architecture<BertConfig> = encoderArchitecture(ROBERTA_VARIANT);

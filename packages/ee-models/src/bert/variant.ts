/**
 * What differs between BERT and RoBERTa sequence classifiers (a table row, not if-chains).
 * Both are the same post-LayerNorm encoder; they differ in tensor prefix, positions, token-type
 * input and classification head.
 */

/** An encoder-classifier variant. */
export interface EncoderVariant {
  /** `model_type` / registry key. */
  name: "bert" | "roberta";
  /** HF tensor-name prefix of the encoder (`bert.` / `roberta.`). */
  prefix: "bert" | "roberta";
  /** HF class written to config.json `architectures`. */
  hfClass: string;
  /**
   * `absolute`: position t for token t (BERT). `padding-offset`: HF RoBERTa's
   * `cumsum(mask)·mask + padding_idx`, mask = (id ≠ pad), so real tokens start at pad+1 and pads get pad.
   */
  positions: "absolute" | "padding-offset";
  /** Whether the graph takes a `token_type_ids` input (RoBERTa uses row 0 of its one-row table). */
  tokenTypeInput: boolean;
  /** `pooler`: tanh(W_p h₀) then `classifier` (BERT). `dense-head`: `classifier.dense` + tanh + `classifier.out_proj` (RoBERTa). */
  head: "pooler" | "dense-head";
}

/** BERT: absolute positions, token types, pooler head. */
export const BERT_VARIANT: EncoderVariant = {
  name: "bert",
  prefix: "bert",
  hfClass: "BertForSequenceClassification",
  positions: "absolute",
  tokenTypeInput: true,
  head: "pooler",
};

/** RoBERTa: padding-offset positions, no token-type input, dense head, no pooler. */
export const ROBERTA_VARIANT: EncoderVariant = {
  name: "roberta",
  prefix: "roberta",
  hfClass: "RobertaForSequenceClassification",
  positions: "padding-offset",
  tokenTypeInput: false,
  head: "dense-head",
};

/** Encoder variants by `model_type`. */
export const ENCODER_VARIANTS: Readonly<Record<"bert" | "roberta", EncoderVariant>> = {
  bert: BERT_VARIANT,
  roberta: ROBERTA_VARIANT,
};

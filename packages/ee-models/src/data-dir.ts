/**
 * The data directory (tokenizer/config files, IMDB, MT-Bench, ShareGPT) comes from ee-core's
 * acquisition layer, the one resolver every package uses: `--data-dir` / `EE_DATA_DIR` → the mirror
 * `<repo>/../shared/datasets` → the cache filled from the pinned public origins (`ee fetch`).
 */
export { dataFile, findRepoRoot, resolveDataDir } from "ee-core";

/** Files the suite reads from the data directory (relative paths), for error messages. */
export const EXPECTED_DATA_FILES = [
  "model_files/bert-base-uncased/bert-base-uncased.json",
  "model_files/bert-base-uncased/config.json",
  "model_files/roberta-base/tokenizer.json",
  "model_files/roberta-base/config.json",
  "model_files/llama-3.1-8b-instruct/tokenizer_config.json",
  "imdb_aclImdb/test/{pos,neg}/*.txt",
  "mt_bench/question.jsonl",
  "sharegpt_ml-energy/*.json",
] as const;

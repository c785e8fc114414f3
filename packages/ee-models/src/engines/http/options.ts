/**
 * The http engine's settings, from `EngineOptions.extra` (every key is checked; unknown keys are
 * errors). Only `endpoint` is required.
 */
import type { EngineOptions } from "../engine.js";

/** Settings of the http engine. */
export interface HttpEngineSettings {
  /** Base URL of the server, without `/v1` (e.g. `http://127.0.0.1:8000`). */
  readonly endpoint: string;
  /** Model id sent as `model`; default: the first one `/v1/models` lists. */
  readonly model: string | null;
  /** Requests in flight at once during one `generate`/`classify` call (requests, ≥ 1); default 1. */
  readonly concurrency: number;
  /** Give up on one request after this long (ms); default 600 000. */
  readonly timeoutMs: number;
  /** Stream completions (SSE) to time the first token (default true); false = one JSON answer each. */
  readonly stream: boolean;
  /** First-step top-k asked when a caller wants full logits, which the wire does not carry (tokens); default 20. */
  readonly topK: number;
  /** Task, when neither a local config.json nor the server says it. */
  readonly task: "generate" | "classify" | null;
  /** Vocabulary size or number of labels, when neither a local config.json nor the server says it. */
  readonly outputSize: number | null;
  /** Longest sequence, when neither a local config.json nor the server says it (tokens). */
  readonly maxPositions: number | null;
  /** Inputs per `/classify` request (sequences, ≥ 1); default: the whole batch in one request. */
  readonly classifyBatch: number | null;
}

const KEYS = [
  "endpoint",
  "model",
  "concurrency",
  "timeoutMs",
  "stream",
  "topK",
  "task",
  "outputSize",
  "maxPositions",
  "classifyBatch",
] as const;

function posInt(key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new Error(`http engine: extra.${key} must be an integer >= 1, got ${JSON.stringify(v)}`);
  return v;
}

/** Read and check the http engine's keys of `opts.extra`. */
export function httpSettings(opts: EngineOptions = {}): HttpEngineSettings {
  const x = opts.extra ?? {};
  for (const k of Object.keys(x))
    if (!(KEYS as readonly string[]).includes(k))
      throw new Error(`http engine: unknown option extra.${k} (known: ${KEYS.join(", ")})`);
  if (opts.device === "cuda")
    throw new Error("http engine: the device is the server's; leave device unset (the server decides)");
  const endpoint = x.endpoint;
  if (typeof endpoint !== "string" || !/^https?:\/\/[^/]+/.test(endpoint))
    throw new Error(
      `http engine: extra.endpoint must be an http(s) URL, e.g. http://127.0.0.1:8000, got ${JSON.stringify(endpoint)}`,
    );
  const task = x.task ?? null;
  if (task !== null && task !== "generate" && task !== "classify")
    throw new Error(`http engine: extra.task must be "generate" or "classify", got ${JSON.stringify(task)}`);
  if (x.stream !== undefined && typeof x.stream !== "boolean")
    throw new Error(`http engine: extra.stream must be true or false, got ${JSON.stringify(x.stream)}`);
  if (x.model !== undefined && typeof x.model !== "string")
    throw new Error(`http engine: extra.model must be a string, got ${JSON.stringify(x.model)}`);
  return {
    endpoint: endpoint.replace(/\/+$/, "").replace(/\/v1$/, ""),
    model: (x.model as string | undefined) ?? null,
    concurrency: x.concurrency === undefined ? 1 : posInt("concurrency", x.concurrency),
    timeoutMs: x.timeoutMs === undefined ? 600_000 : posInt("timeoutMs", x.timeoutMs),
    stream: (x.stream as boolean | undefined) ?? true,
    topK: x.topK === undefined ? 20 : posInt("topK", x.topK),
    task,
    outputSize: x.outputSize === undefined ? null : posInt("outputSize", x.outputSize),
    maxPositions: x.maxPositions === undefined ? null : posInt("maxPositions", x.maxPositions),
    classifyBatch: x.classifyBatch === undefined ? null : posInt("classifyBatch", x.classifyBatch),
  };
}

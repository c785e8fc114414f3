/**
 * `POST /classify` (also `/v1/classify`), vLLM's classification API for token-id inputs:
 * `{"input": [ids…] | [[ids…], …]}` → `data[i] = {index, label, probs, num_classes, logits}`.
 * `logits` (nats, in the served model's label order — permuted for an encrypted folder) is this
 * server's addition: the client decrypts logits, and fidelity compares them.
 */
import type { ServerResponse } from "node:http";
import { readIdPrompts } from "./completion-request.js";
import { ApiError } from "./errors.js";
import { sendJson } from "./http-io.js";
import type { Scheduler } from "./scheduler.js";
import type { ServedModel } from "./served-model.js";

/** A validated classification request. */
export interface ClassifyRequest {
  /** Token-id inputs, special tokens included (token ids). */
  readonly inputs: readonly (readonly number[])[];
}

/** Validate a parsed JSON body. */
export function parseClassifyRequest(body: unknown, model: ServedModel): ClassifyRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError(400, "request body must be a JSON object");
  const b = body as Record<string, unknown>;
  if (model.task !== "classify")
    throw new ApiError(400, `model ${model.id} generates text: use POST /v1/completions, not /classify`);
  if (b.model !== undefined && b.model !== null && b.model !== model.id)
    throw new ApiError(
      404,
      `The model \`${String(b.model)}\` does not exist (this server serves ${model.id}).`,
      "model",
    );
  if (b.input === undefined) throw new ApiError(400, "input: is required (token ids)", "input");
  return { inputs: readIdPrompts(b.input, "input", model) };
}

function softmax(x: Float32Array): number[] {
  const max = Math.max(...x);
  const e = Array.from(x, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Answer a validated classification request; returns the predicted class per input and the queue wait. */
export async function answerClassify(
  res: ServerResponse,
  req: ClassifyRequest,
  model: ServedModel,
  scheduler: Scheduler,
  id: string,
): Promise<{ predictedClasses: number[]; queueMs: number }> {
  const out = await scheduler.classify(req.inputs);
  const data = out.map((r, index) => {
    const probs = softmax(r.logits);
    const best = probs.indexOf(Math.max(...probs));
    return {
      index,
      label: model.labels[best] ?? null,
      probs,
      num_classes: probs.length,
      logits: Array.from(r.logits),
    };
  });
  const tokens = req.inputs.reduce((n, p) => n + p.length, 0);
  sendJson(res, 200, {
    id,
    object: "list",
    created: Math.floor(Date.now() / 1000),
    model: model.id,
    data,
    usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 },
  });
  return {
    predictedClasses: data.map((d) => d.probs.indexOf(Math.max(...d.probs))),
    queueMs: Math.max(...out.map((r) => r.queueMs)),
  };
}

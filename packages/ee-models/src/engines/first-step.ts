/**
 * The first generated position's output in the form a caller asked for: the full logits, or the k most
 * likely tokens with their log-probabilities. Runtime-free; any engine that has full logits uses it.
 */
import type { EngineGenerateOptions, FirstStep } from "./engine.js";

/** Throws unless `want` is `"logits"`, absent, or `{ topK }` with 1 ≤ topK ≤ `vocabSize`. */
export function checkFirstStep(want: EngineGenerateOptions["firstStep"], vocabSize: number): void {
  if (want === undefined || want === "logits") return;
  const k = want.topK;
  if (!Number.isInteger(k) || k < 1 || k > vocabSize)
    throw new Error(`generate: firstStep.topK must be an integer in [1, ${vocabSize}], got ${k}`);
}

/** `logits` `[V]` as the requested first step (top-k: ids by descending logit, ties to the lower id). */
export function firstStepOf(logits: Float32Array, want: EngineGenerateOptions["firstStep"]): FirstStep {
  if (want === undefined || want === "logits") return { kind: "logits", logits };
  checkFirstStep(want, logits.length);
  let mx = Number.NEGATIVE_INFINITY;
  for (const v of logits) mx = Math.max(mx, v);
  let z = 0;
  for (const v of logits) z += Math.exp(v - mx);
  const logZ = mx + Math.log(z); // log Σ exp(logits)
  const order = Array.from(logits.keys())
    .sort((a, b) => logits[b] - logits[a] || a - b)
    .slice(0, want.topK);
  return {
    kind: "topk",
    ids: Int32Array.from(order),
    logprobs: Float32Array.from(order, (i) => logits[i] - logZ),
  };
}

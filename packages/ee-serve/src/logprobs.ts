/**
 * First-step log-probabilities in the completions API's `logprobs` form. Tokens are named
 * `"token_id:N"` (vLLM's `return_tokens_as_token_ids`): a server without a tokenizer has no other name
 * for them. The engine seam reports the first generated position only, so later positions carry
 * `null` log-probabilities, as vLLM writes positions it has none for.
 */
import type { FirstStep } from "ee-models";

/** `"token_id:N"`, vLLM's placeholder name of token N. */
export function tokenIdName(id: number): string {
  return `token_id:${id}`;
}

/** The `k` most likely tokens of a first step (ids, descending; ties to the lower id) and their log-probs (nats). */
export function topLogprobs(step: FirstStep, k: number): { ids: number[]; logprobs: number[] } {
  if (step.kind === "topk") {
    const n = Math.min(k, step.ids.length);
    return { ids: Array.from(step.ids.subarray(0, n)), logprobs: Array.from(step.logprobs.subarray(0, n)) };
  }
  const x = step.logits;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  const logZ = max + Math.log(sum);
  const order = Array.from({ length: x.length }, (_, i) => i);
  order.sort((a, b) => x[b] - x[a] || a - b);
  const ids = order.slice(0, Math.min(k, x.length));
  return { ids, logprobs: ids.map((i) => x[i] - logZ) };
}

/** The completions API's `logprobs` object for a run of tokens. */
export interface CompletionLogprobs {
  /** Character offsets (chars): all 0, the server writes no text. */
  text_offset: number[];
  /** Log-probability of each token (nats), null where unknown. */
  token_logprobs: (number | null)[];
  /** Token names, `"token_id:N"`. */
  tokens: string[];
  /** Top alternatives per position, name → log-probability (nats), null where unknown. */
  top_logprobs: (Record<string, number> | null)[];
}

/**
 * `logprobs` for `tokens` generated from position `start` on (0 = the first new token), with `k`
 * alternatives; `first` is the first step's output (needed when `start` is 0).
 */
export function completionLogprobs(
  tokens: readonly number[],
  start: number,
  k: number,
  first: FirstStep | undefined,
): CompletionLogprobs {
  const out: CompletionLogprobs = { text_offset: [], token_logprobs: [], tokens: [], top_logprobs: [] };
  tokens.forEach((t, i) => {
    out.text_offset.push(0);
    out.tokens.push(tokenIdName(t));
    if (start + i === 0 && first !== undefined) {
      const top = topLogprobs(first, Math.max(k, 1));
      const dict: Record<string, number> = {};
      top.ids.forEach((id, j) => {
        dict[tokenIdName(id)] = Math.max(top.logprobs[j], -9999);
      });
      const j = top.ids.indexOf(t);
      out.token_logprobs.push(j >= 0 ? Math.max(top.logprobs[j], -9999) : null);
      out.top_logprobs.push(dict);
    } else {
      out.token_logprobs.push(null);
      out.top_logprobs.push(null);
    }
  });
  return out;
}

/**
 * Batching for classifiers: truncation that keeps the closing special token (as HF does for one
 * sequence), right padding to a common length, and splitting into fixed-size batches.
 */
import type { IdBatch } from "../types.js";

/**
 * Truncate an encoded sequence (`[CLS] … [SEP]` / `<s> … </s>`) to `maxLength` tokens, keeping its
 * last (closing special) token.
 */
export function truncateKeepLast(ids: readonly number[], maxLength: number): number[] {
  if (maxLength < 2) throw new Error(`maxLength ${maxLength}: must be ≥ 2 (room for the special tokens)`);
  if (ids.length <= maxLength) return [...ids];
  return [...ids.slice(0, maxLength - 1), ids[ids.length - 1]];
}

/** Right-pad sequences with `padId` to their longest length (or `padTo`), mask 1/0, token types 0. */
export function padBatch(seqs: readonly (readonly number[])[], padId: number, padTo?: number): IdBatch {
  if (seqs.length === 0) throw new Error("padBatch: empty batch");
  const longest = Math.max(...seqs.map((s) => s.length));
  const T = padTo ?? longest;
  if (T < longest)
    throw new Error(`padBatch: padTo ${T} is shorter than the longest sequence (${longest} tokens)`);
  const B = seqs.length;
  const inputIds = new BigInt64Array(B * T).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) {
      inputIds[b * T + t] = BigInt(s[t]);
      attentionMask[b * T + t] = 1n;
    }
  });
  return { inputIds, attentionMask, tokenTypeIds: new BigInt64Array(B * T), batchSize: B, seqLen: T };
}

/** Consecutive slices of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batchSize ${size}: must be a positive integer`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Numerically stable softmax of one row. */
export function softmax(logits: ArrayLike<number>): number[] {
  let mx = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) mx = Math.max(mx, logits[i]);
  const e = Array.from(logits, (v) => Math.exp(v - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Compact per-sample logit facts for the records: a short digest and the largest difference. */
import { createHash } from "node:crypto";
import { maxAbsDiff } from "ee-core";

/** First 16 hex digits of sha256 over the logits as float32 bytes; "" when absent. */
export function logitDigest(logits: Float32Array | undefined): string {
  if (!logits) return "";
  return createHash("sha256")
    .update(new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength))
    .digest("hex")
    .slice(0, 16);
}

/** max |a − b| over two logit vectors; NaN when a side is missing or lengths differ. */
export function logitDiff(a: Float32Array | undefined, b: Float32Array | undefined): number {
  if (!a || !b || a.length !== b.length) return Number.NaN;
  return maxAbsDiff(a, b);
}

import { describe, expect, it } from "vitest";
import { chunk, padBatch, softmax, truncateKeepLast } from "../../src/runner/batch.js";

describe("batching helpers", () => {
  it("truncation keeps the closing special token", () => {
    expect(truncateKeepLast([101, 1, 2, 3, 4, 102], 4)).toEqual([101, 1, 2, 102]);
    expect(truncateKeepLast([0, 5, 2], 8)).toEqual([0, 5, 2]);
    expect(() => truncateKeepLast([1, 2, 3], 1)).toThrow("maxLength 1: must be ≥ 2");
  });

  it("right-pads with the pad id and masks the padding", () => {
    const b = padBatch([[5, 6, 7], [8]], 1);
    expect(b).toMatchObject({ batchSize: 2, seqLen: 3 });
    expect(Array.from(b.inputIds)).toEqual([5n, 6n, 7n, 8n, 1n, 1n]);
    expect(Array.from(b.attentionMask)).toEqual([1n, 1n, 1n, 1n, 0n, 0n]);
    expect(padBatch([[5]], 0, 4).seqLen).toBe(4);
    expect(() => padBatch([[5, 6]], 0, 1)).toThrow("padTo 1 is shorter than the longest sequence (2 tokens)");
  });

  it("chunks and softmax", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow("batchSize 0: must be a positive integer");
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
  });
});

import { describe, expect, it } from "vitest";
import { mergeIdenticalRows } from "../../src/linalg/merge-rows.js";
import type { Matrix } from "../../src/types.js";

const m = (rows: number[][]): Matrix => ({
  rows: rows.length,
  cols: rows[0].length,
  data: Float32Array.from(rows.flat()),
});

describe("mergeIdenticalRows (homophone copies are bit-identical rows)", () => {
  it("merges rows equal in every encrypted table, in order of first occurrence", () => {
    const emb = m([
      [1, 2],
      [3, 4],
      [1, 2],
      [5, 6],
      [3, 4],
      [1, 2],
    ]);
    const head = m([
      [7, 7],
      [8, 8],
      [7, 7],
      [9, 9],
      [8, 8],
      [7, 7],
    ]);
    const plain = m([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const r = mergeIdenticalRows({
      plainEmbedding: plain,
      encryptedEmbedding: emb,
      plainLmHead: plain,
      encryptedLmHead: head,
    });
    expect(Array.from(r.groupOf)).toEqual([0, 1, 0, 2, 1, 0]);
    expect(Array.from(r.representatives)).toEqual([0, 1, 3]);
    expect(Array.from(r.view.encryptedEmbedding.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(r.view.encryptedLmHead?.data ?? [])).toEqual([7, 7, 8, 8, 9, 9]);
    expect(r.view.plainEmbedding).toBe(plain);
  });

  it("keeps rows apart that differ in the head only, or by the sign of zero", () => {
    const emb = m([
      [1, 0],
      [1, 0],
      [1, -0],
    ]);
    const head = m([
      [1, 1],
      [1, 2],
      [1, 1],
    ]);
    const plain = m([[0, 0]]);
    const r = mergeIdenticalRows({
      plainEmbedding: plain,
      encryptedEmbedding: emb,
      plainLmHead: plain,
      encryptedLmHead: head,
    });
    expect(Array.from(r.groupOf)).toEqual([0, 1, 2]);
    expect(() =>
      mergeIdenticalRows({ plainEmbedding: plain, encryptedEmbedding: emb, encryptedLmHead: m([[1, 1]]) }),
    ).toThrow(/encrypted tables have 3 vs 1 rows/);
  });
});

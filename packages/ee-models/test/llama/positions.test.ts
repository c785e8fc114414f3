import { describe, expect, it } from "vitest";
import { positionIdsFromMask } from "../../src/llama/positions.js";

describe("positionIdsFromMask", () => {
  it("counts real tokens from 0 and gives padding 1, as HF generation does", () => {
    const mask = [1, 1, 1, 1, 0, 0, 1, 1];
    expect([...positionIdsFromMask(mask, 2, 4, 4)]).toEqual([0n, 1n, 2n, 3n, 1n, 1n, 0n, 1n]);
  });

  it("returns the positions of the last newLen tokens (decode step)", () => {
    const mask = [0, 1, 1, 1, 1, 1];
    expect([...positionIdsFromMask(mask, 1, 6, 1)]).toEqual([4n]);
    expect(() => positionIdsFromMask(mask, 2, 6, 1)).toThrow(/expected batch 2 × length 6/);
  });
});

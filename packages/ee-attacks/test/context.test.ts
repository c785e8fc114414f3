import { describe, expect, it } from "vitest";
import { Memo } from "../src/context.js";

describe("Memo", () => {
  it("computes once; the first caller is charged 0 ms (its own clock ran), later callers the stored cost", () => {
    const memo = new Memo();
    let calls = 0;
    const make = () => {
      calls++;
      let s = 0;
      for (let i = 0; i < 200_000; i++) s += Math.sqrt(i);
      return s;
    };
    const first = memo.get("k", make);
    const second = memo.get("k", make);
    expect(calls).toBe(1);
    expect(first.ms).toBe(0);
    expect(second.value).toBe(first.value);
    expect(second.ms).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(second.ms)).toBe(true);
  });
});

/** Non-finite weights are refused naming the tensor, the position and the count. */
import { describe, expect, it } from "vitest";
import { assertFiniteTensors, findNonFinite } from "../src/finite.js";
import type { StateDict } from "../src/types.js";

describe("assertFiniteTensors", () => {
  it("names the tensor, position and count of NaN / Inf values; integer tensors pass", () => {
    const w = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const sd: StateDict = new Map([
      ["ids", { dtype: "I32", shape: [2], data: Int32Array.of(1, 2) }],
      ["w", { dtype: "F32", shape: [2, 3], data: w }],
    ]);
    expect(() => assertFiniteTensors(sd, "ckpt")).not.toThrow();
    w[4] = Number.NaN;
    expect(() => assertFiniteTensors(sd, "ckpt")).toThrow(
      'ckpt: tensor "w" holds NaN at [1, 1] (1 non-finite value); refusing non-finite weights',
    );
    w[0] = Number.NEGATIVE_INFINITY;
    expect(findNonFinite(sd.get("w")!)).toEqual({ index: 0, value: "-Inf", count: 2 });
    const d = Float64Array.of(0, Number.POSITIVE_INFINITY);
    expect(findNonFinite({ dtype: "F64", shape: [2], data: d })).toEqual({
      index: 1,
      value: "+Inf",
      count: 1,
    });
  });
});

import { describe, expect, it } from "vitest";
import {
  bfloat16ToFloat32,
  float32ToBfloat16,
  float32ToHalf,
  halfBitsToNumber,
  halfToFloat32,
  numberToBfloat16Bits,
  numberToHalfBits,
} from "../src/float16.js";

describe("float16", () => {
  it("encodes known F16 values (round to nearest even, overflow to infinity, subnormals)", () => {
    expect(numberToHalfBits(1)).toBe(0x3c00);
    expect(numberToHalfBits(-2)).toBe(0xc000);
    expect(numberToHalfBits(65504)).toBe(0x7bff); // largest finite half
    expect(numberToHalfBits(65520)).toBe(0x7c00); // halfway to 2^16 rounds (to even) up to +Inf
    expect(numberToHalfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(numberToHalfBits(2 ** -25)).toBe(0x0000); // exactly half of it: ties to even (0)
    expect(numberToHalfBits(1 / 3)).toBe(0x3555);
    expect(numberToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 and 0x3c01 → even
    expect(numberToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02 → even
    expect(numberToHalfBits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(Number.isNaN(halfBitsToNumber(numberToHalfBits(Number.NaN)))).toBe(true);
  });

  it("every non-NaN F16 pattern survives widen → narrow exactly", () => {
    const all = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i;
    const wide = new Float32Array(65536);
    halfToFloat32(all, wide);
    const back = new Uint16Array(65536);
    float32ToHalf(wide, back);
    for (let h = 0; h < 65536; h++) {
      const isNaNPattern = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaNPattern) expect(Number.isNaN(wide[h])).toBe(true);
      else if (back[h] !== h)
        throw new Error(`pattern ${h.toString(16)} came back as ${back[h].toString(16)}`);
    }
  });

  it("BF16 rounds to nearest even and widens exactly", () => {
    expect(numberToBfloat16Bits(1)).toBe(0x3f80);
    expect(numberToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(numberToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even
    expect(numberToBfloat16Bits(1 + 2 ** -7)).toBe(0x3f81);
    const src = Float32Array.from([1, -2.5, 3.140625, 0, Number.POSITIVE_INFINITY]);
    const bits = new Uint16Array(src.length);
    float32ToBfloat16(src, bits);
    const back = new Float32Array(src.length);
    bfloat16ToFloat32(bits, back);
    expect(Array.from(back)).toEqual(Array.from(src));
    expect(Array.from(bits)).toEqual(Array.from(src, (x) => numberToBfloat16Bits(x)));
  });
});

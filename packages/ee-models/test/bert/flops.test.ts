import { describe, expect, it } from "vitest";
import { bertArchitecture } from "../../src/bert/architecture.js";
import { encoderForwardFlops } from "../../src/bert/flops.js";
import { getPreset } from "../../src/presets.js";

describe("encoderForwardFlops", () => {
  it("counts bert-base at seq 128 as ≈ 22.3 GFLOP (12 layers × 1.86 GFLOP)", () => {
    const cfg = bertArchitecture.parseConfig(getPreset("bert-base").config, "bert-base");
    // per layer: 8·T·d² + 4·T²·d + 4·T·d·I = 603,979,776 + 50,331,648 + 1,207,959,552
    const perLayer = 8 * 128 * 768 ** 2 + 4 * 128 ** 2 * 768 + 4 * 128 * 768 * 3072;
    expect(encoderForwardFlops(cfg, 128)).toBe(12 * perLayer + 2 * 768 * 768 + 2 * 768 * 2);
    expect(encoderForwardFlops(cfg, 128, 4)).toBe(4 * encoderForwardFlops(cfg, 128));
  });
});

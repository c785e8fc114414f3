import { describe, expect, it } from "vitest";
import { llamaConfigToJson, parseLlamaConfig, ropeInvFreq } from "../../src/llama/config.js";
import { llama31_8b, llama31Mini, llamaPresets, llamaTiny } from "../../src/llama/presets.js";

describe("parseLlamaConfig", () => {
  it("reads the Llama 3.1 8B config", () => {
    const c = parseLlamaConfig(llama31_8b.config, "llama-3.1-8b");
    expect(c).toMatchObject({
      hiddenSize: 4096,
      numLayers: 32,
      intermediateSize: 14336,
      numHeads: 32,
      numKvHeads: 8,
      headDim: 128,
      vocabSize: 128256,
      ropeTheta: 500000,
      rmsNormEps: 1e-5,
      tieWordEmbeddings: false,
      bosTokenId: 128000,
      eosTokenIds: [128001, 128008, 128009],
      ropeScaling: {
        ropeType: "llama3",
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 8192,
      },
    });
  });

  it("keeps what the mini preset promises: real vocab, head_dim 128, GQA 4:1, llama3 rope", () => {
    const c = parseLlamaConfig(llama31Mini.config, "llama-3.1-mini");
    expect([c.vocabSize, c.headDim, c.numHeads / c.numKvHeads, c.ropeScaling?.ropeType]).toEqual([
      128256,
      128,
      4,
      "llama3",
    ]);
  });

  it("defaults head_dim, KV heads and accepts the legacy `type` key and a single eos id", () => {
    const c = parseLlamaConfig(
      {
        ...llamaTiny.config,
        head_dim: undefined,
        num_key_value_heads: undefined,
        eos_token_id: 2,
        rope_scaling: {
          type: "llama3",
          factor: 2,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 16,
        },
      },
      "x",
    );
    expect([c.headDim, c.numKvHeads, c.eosTokenIds, c.ropeScaling?.factor]).toEqual([16, 4, [2], 2]);
  });

  it("round-trips through toConfigJson", () => {
    for (const p of llamaPresets) {
      const c = parseLlamaConfig(p.config, p.name);
      const again = parseLlamaConfig(llamaConfigToJson(c), p.name);
      expect({ ...again, raw: null }).toEqual({ ...c, raw: null });
    }
  });

  it.each([
    [{ hidden_size: undefined }, /llama-tiny: field "hidden_size" is missing/],
    [{ num_key_value_heads: 3 }, /"num_key_value_heads" \(3\) must divide num_attention_heads \(4\)/],
    [{ attention_bias: true }, /"attention_bias" must be false/],
    [{ mlp_bias: true }, /"mlp_bias" must be false/],
    [{ rope_scaling: { rope_type: "yarn", factor: 2 } }, /"rope_scaling.rope_type" must be "llama3"/],
    [
      { rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4 } },
      /original_max_position_embeddings" is missing/,
    ],
    [{ eos_token_id: [2, 9999] }, /"eos_token_id\[1\]" must be a token id in \[0, 512\)/],
    [{ head_dim: 15 }, /"head_dim" must be even/],
    [{ model_type: "bert" }, /"model_type" must be "llama"/],
  ])("rejects %j with an error naming the field", (overrides, message) => {
    expect(() => parseLlamaConfig({ ...llamaTiny.config, ...overrides }, "llama-tiny")).toThrow(message);
  });
});

describe("ropeInvFreq", () => {
  const plain = { headDim: 128, ropeTheta: 500000, ropeScaling: null };
  const scaled = parseLlamaConfig(llama31_8b.config, "llama-3.1-8b");

  it("without scaling is θ^(−2j/d)", () => {
    const f = ropeInvFreq(plain);
    expect(f.length).toBe(64);
    expect(f[0]).toBe(1);
    expect(f[32]).toBeCloseTo(500000 ** -0.5, 15);
  });

  it("llama3: high frequencies unchanged, low ones divided by factor, a smooth monotone band between", () => {
    const f0 = ropeInvFreq(plain);
    const f = ropeInvFreq(scaled);
    let medium = 0;
    for (let j = 0; j < 64; j++) {
      const wavelen = (2 * Math.PI) / f0[j];
      if (wavelen < 8192 / 4) expect(f[j]).toBe(f0[j]);
      else if (wavelen > 8192 / 1) expect(f[j]).toBeCloseTo(f0[j] / 8, 18);
      else {
        medium++;
        expect(f[j]).toBeLessThan(f0[j]);
        expect(f[j]).toBeGreaterThan(f0[j] / 8);
      }
      if (j > 0) expect(f[j]).toBeLessThan(f[j - 1]);
    }
    expect(medium).toBe(6); // j = 29..34 have wavelengths in [2048, 8192]
  });

  it("equals a hand-computed value in the smooth band (tiny config, j = 1)", () => {
    // f = 10000^(−1/8) = √0.1, λ = 2π/f, s = (32/λ − 1)/3 ⇒ (1 − s)·f/4 + s·f = 4f²/π = 0.4/π
    const f = ropeInvFreq(parseLlamaConfig(llamaTiny.config, "llama-tiny"));
    expect(f[0]).toBe(1);
    expect(f[1]).toBeCloseTo(0.4 / Math.PI, 14);
    expect(f[2]).toBeCloseTo(0.1 / 4, 15);
  });
});

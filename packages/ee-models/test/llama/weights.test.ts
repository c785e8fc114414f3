import { createRandom } from "ee-core";
import { describe, expect, it } from "vitest";
import { parseLlamaConfig } from "../../src/llama/config.js";
import { llama31_8b } from "../../src/llama/presets.js";
import {
  checkLlamaWeights,
  LLAMA_LM_HEAD,
  llamaSyntheticWeights,
  llamaTensorShapes,
} from "../../src/llama/weights.js";
import { tinyConfig } from "./helpers.js";

describe("llamaTensorShapes", () => {
  it("gives Llama 3.1 8B's HF names and shapes (8.03 B parameters)", () => {
    const shapes = llamaTensorShapes(parseLlamaConfig(llama31_8b.config, "8b"));
    expect(shapes.size).toBe(1 + 32 * 9 + 1 + 1);
    expect(shapes.get("model.embed_tokens.weight")).toEqual([128256, 4096]);
    expect(shapes.get("model.layers.31.self_attn.k_proj.weight")).toEqual([1024, 4096]);
    expect(shapes.get("model.layers.0.self_attn.o_proj.weight")).toEqual([4096, 4096]);
    expect(shapes.get("model.layers.0.mlp.down_proj.weight")).toEqual([4096, 14336]);
    expect(shapes.get("model.layers.0.post_attention_layernorm.weight")).toEqual([4096]);
    expect(shapes.get("lm_head.weight")).toEqual([128256, 4096]);
    let n = 0;
    for (const s of shapes.values()) n += s.reduce((a, b) => a * b, 1);
    expect(n).toBe(8_030_261_248);
  });

  it("has no lm_head when the embeddings are tied", () => {
    expect(llamaTensorShapes(tinyConfig({ tie_word_embeddings: true })).has(LLAMA_LM_HEAD)).toBe(false);
  });
});

describe("llamaSyntheticWeights", () => {
  const cfg = tinyConfig({ initializer_range: 0.02 });

  it("draws N(0, initializer_range) matrices and unit gains, reproducibly per tensor name", () => {
    const a = llamaSyntheticWeights(cfg, createRandom({ seed: 9 }));
    const b = llamaSyntheticWeights(cfg, createRandom({ seed: 9 }));
    checkLlamaWeights(cfg, a);
    const emb = a.get("model.embed_tokens.weight")!.data as Float32Array;
    let s = 0;
    for (const v of emb) s += v * v;
    expect(Math.sqrt(s / emb.length)).toBeCloseTo(0.02, 3);
    expect([...(a.get("model.norm.weight")!.data as Float32Array)].every((v) => v === 1)).toBe(true);
    expect(b.get("model.layers.1.mlp.up_proj.weight")!.data).toEqual(
      a.get("model.layers.1.mlp.up_proj.weight")!.data,
    );
    // a tensor depends on its name only: the same tensor of a 1-layer model is identical
    const small = llamaSyntheticWeights(
      tinyConfig({ initializer_range: 0.02, num_hidden_layers: 1 }),
      createRandom({ seed: 9 }),
    );
    expect(small.get("model.layers.0.self_attn.q_proj.weight")!.data).toEqual(
      a.get("model.layers.0.self_attn.q_proj.weight")!.data,
    );
  });

  it("draws gains 1 + gainStd·N when asked", () => {
    const w = llamaSyntheticWeights(cfg, createRandom({ seed: 9 }), { gainStd: 0.1 });
    const g = w.get("model.layers.0.input_layernorm.weight")!.data as Float32Array;
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    expect(mean).toBeCloseTo(1, 1);
    expect(g.some((v) => Math.abs(v - 1) > 0.01)).toBe(true);
    expect(() => llamaSyntheticWeights(cfg, createRandom({ seed: 1 }), { gainStd: -1 })).toThrow(/gainStd/);
  });

  it("checkLlamaWeights names missing, mis-shaped and extra tensors", () => {
    const w = llamaSyntheticWeights(cfg, createRandom({ seed: 1 }));
    const bad = new Map(w);
    bad.set("model.norm.weight", { dtype: "F32", shape: [3], data: new Float32Array(3) });
    expect(() => checkLlamaWeights(cfg, bad, "ckpt")).toThrow(
      /ckpt: tensor "model.norm.weight" has shape \[3\], expected \[64\]/,
    );
    const extra = new Map(w);
    extra.set("model.rotary.x", { dtype: "F32", shape: [1], data: new Float32Array(1) });
    expect(() => checkLlamaWeights(cfg, extra)).toThrow(/unexpected tensor "model.rotary.x"/);
    const tied = tinyConfig({ initializer_range: 0.02, tie_word_embeddings: true });
    expect(() => checkLlamaWeights(tied, w)).toThrow(
      /unexpected tensor "lm_head.weight" \(config has tie_word_embeddings: true\)/,
    );
  });
});

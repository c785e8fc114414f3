import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type StateDict, writeSafetensors } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { buildModel } from "../../src/build-model.js";
import { loadCheckpoint } from "../../src/checkpoint.js";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { maxAbsDiff, tempDir, tinyConfig, tinyWeights } from "./helpers.js";

describe("Llama from a safetensors checkpoint", () => {
  const cfg = tinyConfig();
  const weights = tinyWeights(cfg, 8);
  const t = tempDir("llama-ckpt");
  afterAll(() => t.cleanup());

  it("loads HF names (bf16 widened to f32) and builds a model whose logits match the reference", async () => {
    const bf16: StateDict = new Map([...weights].map(([n, w]) => [n, { ...w, dtype: "BF16" as const }]));
    const ckpt = join(t.dir, "ckpt");
    mkdirSync(ckpt);
    writeSafetensors(join(ckpt, "model.safetensors"), bf16, { format: "pt" });
    writeFileSync(join(ckpt, "config.json"), JSON.stringify(llamaArchitecture.toConfigJson(cfg)));
    const loaded = loadCheckpoint(ckpt, llamaArchitecture, cfg);
    const q = loaded.get("model.layers.0.self_attn.q_proj.weight")!.data as Float32Array;
    const q0 = weights.get("model.layers.0.self_attn.q_proj.weight")!.data as Float32Array;
    for (let i = 0; i < q.length; i++)
      expect(Math.abs(q[i] - q0[i])).toBeLessThanOrEqual(Math.abs(q0[i]) * 2 ** -8);

    const out = join(t.dir, "model");
    await buildModel({
      configPath: join(ckpt, "config.json"),
      weightsDir: ckpt,
      outDir: out,
      saveWeights: false,
    });
    const s = await CausalLMSession.open(out);
    try {
      const prompt = [4, 90, 311, 27, 5];
      const pre = await s.prefill([prompt]);
      const ref = new LlamaReference(cfg, loaded).forward({ inputIds: [prompt] });
      expect(maxAbsDiff(pre.allLogits, ref.logits)).toBeLessThan(1e-4);
    } finally {
      await s.dispose();
    }
  });
});

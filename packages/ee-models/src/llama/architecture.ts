/**
 * Llama as a registered architecture (`registry.ts`): config, tensors, synthetic weights, ONNX graph.
 */
import type { Architecture } from "../types.js";
import { type LlamaConfig, llamaConfigToJson, parseLlamaConfig } from "./config.js";
import { buildLlamaOnnx } from "./graph.js";
import { llamaSyntheticWeights, llamaTensorShapes } from "./weights.js";

/** `LlamaForCausalLM` with KV cache, GQA and llama3 RoPE. */
export const llamaArchitecture: Architecture<LlamaConfig> = {
  name: "llama",
  task: "causal-lm",
  hfClass: "LlamaForCausalLM",
  parseConfig: parseLlamaConfig,
  tensorShapes: llamaTensorShapes,
  syntheticWeights: (cfg, rng) => llamaSyntheticWeights(cfg, rng),
  buildOnnx: buildLlamaOnnx,
  toConfigJson: llamaConfigToJson,
};

/**
 * The `general.*` and `llama.*` metadata llama.cpp requires to load a Llama (its `llama-arch.cpp` key
 * names, values from the HF config).
 */
import type { LlamaConfig } from "../../llama/config.js";
import { type GgufMetadata, gv } from "./metadata.js";
import { type GgmlTypeName, LLAMA_FILE_TYPE } from "./tensor-types.js";

/** Architecture and hyper-parameter keys of a Llama GGUF (no tokenizer keys). */
export function llamaMetadata(cfg: LlamaConfig, type: GgmlTypeName, name: string): GgufMetadata {
  const m: [string, ReturnType<typeof gv.u32>][] = [
    ["general.architecture", gv.str("llama")],
    ["general.name", gv.str(name)],
    ["general.file_type", gv.u32(LLAMA_FILE_TYPE[type])],
    ["llama.vocab_size", gv.u32(cfg.vocabSize)],
    ["llama.context_length", gv.u32(cfg.maxPositionEmbeddings)],
    ["llama.embedding_length", gv.u32(cfg.hiddenSize)],
    ["llama.block_count", gv.u32(cfg.numLayers)],
    ["llama.feed_forward_length", gv.u32(cfg.intermediateSize)],
    ["llama.attention.head_count", gv.u32(cfg.numHeads)],
    ["llama.attention.head_count_kv", gv.u32(cfg.numKvHeads)],
    ["llama.attention.key_length", gv.u32(cfg.headDim)],
    ["llama.attention.value_length", gv.u32(cfg.headDim)],
    ["llama.attention.layer_norm_rms_epsilon", gv.f32(cfg.rmsNormEps)],
    ["llama.rope.dimension_count", gv.u32(cfg.headDim)],
    ["llama.rope.freq_base", gv.f32(cfg.ropeTheta)],
  ];
  if (type !== "f32" && type !== "f16") m.push(["general.quantization_version", gv.u32(2)]);
  return m;
}

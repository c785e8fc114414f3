/**
 * The `llamacpp` engine's registry row: llama.cpp in process through node-llama-cpp 3.21.1 (optional
 * dependency), on GGUF files written by `ee export --format gguf`. CPU by default; `device: "cuda"`
 * uses node-llama-cpp's prebuilt CUDA binding (`@node-llama-cpp/linux-x64-cuda`, installed with it
 * on linux-x64; needs an NVIDIA driver) with every layer offloaded. node-llama-cpp also ships a
 * Vulkan build (`@node-llama-cpp/linux-x64-vulkan`), which this engine does not select.
 *
 * `extra` keys: `type` (`f32` default, `f16`, `q8_0`: which `model-<type>.gguf` of the folder),
 * `gguf` (an explicit GGUF path), `exportIfMissing` (write `model-<type>.gguf` when absent),
 * `contextSize` (KV cache length, tokens; default min(4096, the model's context)), `batchSize`
 * (tokens per prefill batch; default the context size), `kvCacheType` (`f32` default, `f16` —
 * llama.cpp's own default — or `q8_0`: the KV cache's element type; f32 keeps a variant's error to
 * its weights). Flash attention is off (its CPU kernel accumulates in f16). Unknown keys are errors.
 *
 * `allowSpinning` has no effect: llama.cpp's CPU worker threads always poll at each op's barrier and
 * node-llama-cpp does not expose the setting. On a shared, loaded machine more than one thread then
 * slows decoding by orders of magnitude (measured on the 2-core build machine at load ≈ 17: llama-tiny
 * decode 0.5–900 ms per token with 2 threads, 0.5–7 ms with 1), so benchmarks there pass `threads: 1`.
 */

import { checkGgufFile } from "../../export/gguf/reader.js";
import type { EngineAvailability, EngineDevice, EngineFactory, EngineOptions } from "../engine.js";
import { LlamaCppEngine } from "./engine.js";
import { chooseGguf, LLAMACPP_EXTRA_KEYS } from "./gguf-file.js";
import { llamaFor, loadNodeLlamaCpp, NODE_LLAMA_CPP_INSTALL, NODE_LLAMA_CPP_VERSION } from "./runtime.js";

/** Default KV cache length when `extra.contextSize` is absent (tokens). */
export const LLAMACPP_DEFAULT_CONTEXT = 4096;

function positiveInt(extra: NonNullable<EngineOptions["extra"]>, key: string): number | undefined {
  const v = extra[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
    throw new Error(`llamacpp engine: extra.${key} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** The registry row. */
export const llamaCppEngine: EngineFactory = {
  name: "llamacpp",
  description: `llama.cpp in process (node-llama-cpp ${NODE_LLAMA_CPP_VERSION}, optional), GGUF f32/f16/q8_0 from \`ee export --format gguf\``,

  async availability(): Promise<EngineAvailability> {
    try {
      const mod = await loadNodeLlamaCpp();
      await llamaFor("cpu");
      const devices: EngineDevice[] = ["cpu"];
      const gpus = await mod.getLlamaGpuTypes("supported").catch(() => [] as string[]);
      if (gpus.includes("cuda")) devices.push("cuda");
      return {
        available: true,
        devices,
        note: `node-llama-cpp ${NODE_LLAMA_CPP_VERSION}, prebuilt binaries`,
      };
    } catch (e) {
      return { available: false, reason: (e as Error).message, howToInstall: NODE_LLAMA_CPP_INSTALL };
    }
  },

  async open(folder: string, opts: EngineOptions = {}): Promise<LlamaCppEngine> {
    const extra = opts.extra ?? {};
    const unknown = Object.keys(extra).filter((k) => !(LLAMACPP_EXTRA_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0)
      throw new Error(
        `llamacpp engine: unknown extra key(s) ${unknown.join(", ")} (known: ${LLAMACPP_EXTRA_KEYS.join(", ")})`,
      );
    const device = opts.device ?? "cpu";
    const choice = chooseGguf(folder, extra);
    const header = checkGgufFile(choice.path); // before llama.cpp sees the file: it may abort on a bad one
    const arch = header.metadata.get("general.architecture");
    if (arch !== "llama")
      throw new Error(`${choice.path}: general.architecture is ${JSON.stringify(arch)}, expected "llama"`);
    const vocabSize = header.metadata.get("llama.vocab_size");
    if (typeof vocabSize !== "number") throw new Error(`${choice.path}: llama.vocab_size is missing`);
    const trainContext = header.metadata.get("llama.context_length");
    const contextSize =
      positiveInt(extra, "contextSize") ??
      Math.min(
        LLAMACPP_DEFAULT_CONTEXT,
        typeof trainContext === "number" ? trainContext : LLAMACPP_DEFAULT_CONTEXT,
      );
    const batchSize = positiveInt(extra, "batchSize") ?? contextSize;
    const kvCache = extra.kvCacheType ?? "f32";
    if (kvCache !== "f32" && kvCache !== "f16" && kvCache !== "q8_0")
      throw new Error(
        `llamacpp engine: extra.kvCacheType must be f32, f16 or q8_0, got ${JSON.stringify(kvCache)}`,
      );
    const kvType = kvCache.toUpperCase();
    const llama = await llamaFor(device);
    const model = await llama.loadModel({ modelPath: choice.path, gpuLayers: device === "cuda" ? "max" : 0 });
    try {
      const context = await model.createContext({
        contextSize,
        batchSize,
        sequences: 1,
        flashAttention: false,
        experimentalKvCacheKeyType: kvType,
        experimentalKvCacheValueType: kvType,
        ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      });
      const type = choice.type ?? "gguf";
      return new LlamaCppEngine({
        info: {
          name: "llamacpp",
          label: `llama.cpp ${type} (${device})`,
          runtimeVersion: `node-llama-cpp ${NODE_LLAMA_CPP_VERSION}, llama.cpp ${llama.llamaCppRelease.release}`,
          device,
          ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
        },
        model,
        context,
        vocabSize,
      });
    } catch (e) {
      await model.dispose();
      throw e;
    }
  },
};

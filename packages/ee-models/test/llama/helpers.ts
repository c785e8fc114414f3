/** Shared fixtures of the Llama tests: tiny configs, seeded weights, a built model in a temp folder. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom, type StateDict } from "ee-core";
import { resolveDataDir } from "../../src/data-dir.js";
import { type LlamaConfig, llamaConfigToJson, parseLlamaConfig } from "../../src/llama/config.js";
import { buildLlamaOnnx, type LlamaBuildOptions } from "../../src/llama/graph.js";
import { llamaTiny } from "../../src/llama/presets.js";
import type { LlamaReference } from "../../src/llama/reference.js";
import { llamaSyntheticWeights } from "../../src/llama/weights.js";

/** llama-tiny with config overrides. */
export function tinyConfig(overrides: Record<string, unknown> = {}): LlamaConfig {
  return parseLlamaConfig({ ...llamaTiny.config, ...overrides }, "llama-tiny");
}

/** Seeded weights with norm gains 1 + 0.1·N so gains matter. */
export function tinyWeights(cfg: LlamaConfig, seed = 1): StateDict {
  return llamaSyntheticWeights(cfg, createRandom({ seed }), { gainStd: 0.1 });
}

/** A fresh temp folder; `cleanup` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ee-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Build the ONNX graph of `cfg` into a temp folder. */
export async function buildTiny(cfg: LlamaConfig, weights: StateDict, opts: Partial<LlamaBuildOptions> = {}) {
  const t = tempDir("llama");
  try {
    const result = await buildLlamaOnnx(cfg, weights, t.dir, { fused: false, ...opts });
    return { ...t, result };
  } catch (e) {
    t.cleanup();
    throw e;
  }
}

/** Largest |a − b| over indices where `keep(i)`. */
export function maxAbsDiff(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  keep: (i: number) => boolean = () => true,
): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) if (keep(i)) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The data directory for tests (`resolveDataDir`): an Error saying what to run when there is none. */
export function testDataDir(): string {
  return resolveDataDir();
}

/** Build a tiny model folder: config.json + onnx/model.onnx. */
export async function buildTinyFolder(
  cfg: LlamaConfig,
  weights: StateDict,
  opts: Partial<LlamaBuildOptions> = {},
) {
  const built = await buildTiny(cfg, weights, opts);
  writeFileSync(join(built.dir, "config.json"), JSON.stringify(llamaConfigToJson(cfg), null, 2));
  return built;
}

/** Greedy generation with the reference forward (KV cache, one prompt). */
export function referenceGreedy(
  ref: LlamaReference,
  prompt: number[],
  maxNewTokens: number,
  eos: number[] = [],
): { tokens: number[]; firstLogits: Float64Array } {
  let r = ref.forward({ inputIds: [prompt] });
  const V = ref.cfg.vocabSize;
  const T = prompt.length;
  const firstLogits = r.logits.slice((T - 1) * V, T * V);
  let last: Float64Array = firstLogits;
  const tokens: number[] = [];
  let mask = prompt.map(() => 1);
  for (let s = 0; s < maxNewTokens; s++) {
    let best = 0;
    for (let i = 1; i < V; i++) if (last[i] > last[best]) best = i;
    tokens.push(best);
    if (eos.includes(best) || s === maxNewTokens - 1) break;
    mask = [...mask, 1];
    r = ref.forward({ inputIds: [[best]], attentionMask: [mask], past: r.present });
    last = r.logits;
  }
  return { tokens, firstLogits };
}

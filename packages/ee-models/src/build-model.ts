/**
 * `buildModel`: the function behind `ee build <preset> --out <dir> [--weights <ckpt>] [--seed N]`.
 * Config from a preset or a config.json; weights from a safetensors checkpoint or seeded synthetic
 * (HF init scale); writes a plain model folder with the preset's tokenizer.
 */
import { readFileSync } from "node:fs";
import { assertFiniteTensors, createRandom } from "ee-core";
import { loadCheckpoint } from "./checkpoint.js";
import { asObject, readString } from "./config-json.js";
import { type WrittenFolder, writeModelFolder } from "./folder.js";
import { getPreset } from "./presets.js";
import { getArchitecture } from "./registry.js";
import { getTokenizerSource } from "./tokenizers/registry.js";
import type { ModelConfig, TokenizerFiles } from "./types.js";

/** Options of `buildModel`. Exactly one of `preset` / `configPath`. */
export interface BuildModelOptions {
  /** Preset name (`presets.ts`). */
  preset?: string;
  /** A Hugging Face config.json (file path) instead of a preset. */
  configPath?: string;
  /** Output folder (path). */
  outDir: string;
  /** Safetensors checkpoint folder (path); default: seeded synthetic weights. */
  weightsDir?: string;
  /** Seed of the synthetic weights; default 0. */
  seed?: number | string;
  /** Build the fused-op graph (default false: plain ONNX ops). */
  fused?: boolean;
  /** Per-tensor external-data threshold (bytes), see `BuildOptions`. */
  externalDataThresholdBytes?: number;
  /** Tokenizer registry key; default the preset's (none for a bare config.json). `null` = no tokenizer. */
  tokenizer?: string | null;
  /** Write model.safetensors too (default true). */
  saveWeights?: boolean;
  /** Data directory for tokenizer files; default `resolveDataDir()`. */
  dataDir?: string;
}

/** What `buildModel` did. */
export interface BuiltModel extends WrittenFolder {
  /** The parsed config. */
  cfg: ModelConfig;
  /** `"synthetic(seed=…)"` or the checkpoint folder. */
  weightsSource: string;
  /** Wall time of the whole build (ms). */
  buildMs: number;
}

/** Build a plain model folder; see the module comment. */
export async function buildModel(opts: BuildModelOptions): Promise<BuiltModel> {
  const t0 = performance.now();
  if ((opts.preset === undefined) === (opts.configPath === undefined)) {
    throw new Error("buildModel: give exactly one of preset or configPath");
  }
  let json: Record<string, unknown>;
  let source: string;
  let tokenizerName: string | null;
  if (opts.preset !== undefined) {
    const p = getPreset(opts.preset);
    json = p.config;
    source = `preset ${p.name}`;
    tokenizerName = opts.tokenizer === undefined ? p.tokenizer : opts.tokenizer;
  } else {
    source = opts.configPath as string;
    json = asObject(JSON.parse(readFileSync(source, "utf8")), source);
    tokenizerName = opts.tokenizer ?? null;
  }
  const arch = getArchitecture(readString(json, "model_type", source), `${source}: field model_type`);
  const cfg = arch.parseConfig(json, source);
  const seed = opts.seed ?? 0;
  const weights = opts.weightsDir
    ? loadCheckpoint(opts.weightsDir, arch, cfg)
    : arch.syntheticWeights(cfg, createRandom({ seed }));
  if (opts.weightsDir) assertFiniteTensors(weights, `checkpoint ${opts.weightsDir}`);
  const tokenizer: TokenizerFiles | undefined = tokenizerName
    ? getTokenizerSource(tokenizerName).files(opts.dataDir)
    : undefined;
  const written = await writeModelFolder(opts.outDir, arch, cfg, weights, {
    tokenizer,
    saveWeights: opts.saveWeights,
    build: { fused: opts.fused ?? false, externalDataThresholdBytes: opts.externalDataThresholdBytes },
  });
  return {
    ...written,
    cfg,
    weightsSource: opts.weightsDir ?? `synthetic(seed=${seed})`,
    buildMs: performance.now() - t0,
  };
}

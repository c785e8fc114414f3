/**
 * `buildModel`: the function behind `ee build <preset|config.json|folder> --out <dir> [--weights <ckpt>]
 * [--seed N] [--format onnx|hf]`.
 *
 * Config: a checkpoint's own config.json is the truth. With `--weights DIR` holding a config.json,
 * that config is used; a preset (or config.json) named beside it must agree on every hyper-parameter
 * or the build is refused, naming the differing fields (`checkpoint/config-truth.ts`). Without
 * weights: the preset or config.json, with seeded synthetic weights (HF init scale).
 *
 * Output: `onnx` (default) a folder with `onnx/model.onnx` (+ model.safetensors); `hf` a Hugging Face
 * checkpoint folder (config.json + model.safetensors, sharded above 5 GB, source dtype kept), streamed
 * tensor by tensor from the checkpoint. A plain model gets the preset's tokenizer; an encrypted HF
 * folder (with ee.json) given as weights keeps its ee.json and never gets a tokenizer.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRandom, type DType, numElements, type StateDict } from "ee-core";
import { configConflicts } from "./checkpoint/config-truth.js";
import { dominantDtype, type ModelFormat, writeHfConfig } from "./checkpoint/hf-folder.js";
import { CheckpointWriter } from "./checkpoint/writer.js";
import { lazyCheckpoint, openCheckpoint } from "./checkpoint.js";
import { asObject, readString } from "./config-json.js";
import { EE_MANIFEST_FILE, hashModelFiles, readManifest, writeManifest } from "./encrypt/manifest.js";
import { writeModelFolder } from "./folder.js";
import type { WeightDtype } from "./onnx/builder.js";
import { getPreset } from "./presets.js";
import { getArchitecture } from "./registry.js";
import { getTokenizerSource } from "./tokenizers/registry.js";
import type { Architecture, BuildResult, ModelConfig, TokenizerFiles } from "./types.js";

/** Options of `buildModel`. At most one of `preset` / `configPath`; without either, `weightsDir` gives the config. */
export interface BuildModelOptions {
  /** Preset name (`presets.ts`). */
  preset?: string;
  /** A Hugging Face config.json (file path) instead of a preset. */
  configPath?: string;
  /** Output folder (path). */
  outDir: string;
  /** Checkpoint folder (safetensors or pytorch_model.bin; path); default: seeded synthetic weights. */
  weightsDir?: string;
  /** Seed of the synthetic weights; default 0. */
  seed?: number | string;
  /** Build the fused-op graph (default false: plain ONNX ops). */
  fused?: boolean;
  /** Storage of the matrices, see `BuildOptions.weightDtype` (default `float32`). */
  weightDtype?: WeightDtype;
  /** Per-tensor external-data threshold (bytes), see `BuildOptions`. */
  externalDataThresholdBytes?: number;
  /** Tokenizer registry key; default the preset's (none for a bare config.json). `null` = no tokenizer. */
  tokenizer?: string | null;
  /** ONNX format: also write model.safetensors (default true). */
  saveWeights?: boolean;
  /** Data directory for tokenizer files; default `resolveDataDir()`. */
  dataDir?: string;
  /** Output format (default `onnx`). */
  format?: ModelFormat;
  /** Where warnings go (default `console.warn`). */
  warn?: (message: string) => void;
}

/** What `buildModel` did. */
export interface BuiltModel {
  /** The folder (absolute path). */
  dir: string;
  /** Its format. */
  format: ModelFormat;
  /** config.json (file path). */
  configPath: string;
  /** The ONNX build (`onnx` format only). */
  build?: BuildResult;
  /** Names of the tokenizer files written. */
  tokenizerFiles: string[];
  /** The parsed config. */
  cfg: ModelConfig;
  /** `"synthetic(seed=…)"` or the checkpoint folder. */
  weightsSource: string;
  /** Whether the weights came from an encrypted folder (its ee.json was carried over). */
  encrypted: boolean;
  /** Wall time of the whole build (ms). */
  buildMs: number;
}

function readJson(path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return asObject(json, path);
}

/** The config to build with, where it came from, and the default tokenizer. */
function resolveConfig(opts: BuildModelOptions): {
  json: Record<string, unknown>;
  source: string;
  tokenizer: string | null;
} {
  if (opts.preset !== undefined && opts.configPath !== undefined)
    throw new Error("buildModel: give a preset or a config.json, not both");
  const ckptConfig = opts.weightsDir ? join(opts.weightsDir, "config.json") : undefined;
  const hasCkptConfig = ckptConfig !== undefined && existsSync(ckptConfig);
  let named: { json: Record<string, unknown>; source: string; tokenizer: string | null } | undefined;
  if (opts.preset !== undefined) {
    const p = getPreset(opts.preset);
    named = { json: p.config, source: `preset ${p.name}`, tokenizer: p.tokenizer };
  } else if (opts.configPath !== undefined) {
    named = { json: readJson(opts.configPath), source: opts.configPath, tokenizer: null };
  }
  if (!hasCkptConfig) {
    if (named === undefined)
      throw new Error(
        opts.weightsDir
          ? `buildModel: ${ckptConfig} not found; name a preset or a config.json for this checkpoint`
          : "buildModel: give a preset, a config.json or a checkpoint folder",
      );
    return named;
  }
  const json = readJson(ckptConfig as string);
  if (named !== undefined) {
    const arch = getArchitecture(readString(named.json, "model_type", named.source));
    const ckptType = readString(json, "model_type", ckptConfig as string);
    if (ckptType !== arch.name)
      throw new Error(
        `${ckptConfig} contradicts ${named.source}: model_type: ${named.source} "${arch.name}", checkpoint "${ckptType}"`,
      );
    const conflicts = configConflicts(
      arch.parseConfig(named.json, named.source),
      arch.parseConfig(json, ckptConfig as string),
    );
    if (conflicts.length > 0)
      throw new Error(
        `${ckptConfig} contradicts ${named.source} (the checkpoint's config is the truth; build it without the preset or with a matching one): ${conflicts.join("; ")}`,
      );
  }
  return { json, source: ckptConfig as string, tokenizer: named?.tokenizer ?? null };
}

/** HF tokenizer file names a checkpoint folder may carry. */
const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
];

/** The tokenizer files of a plain checkpoint folder, when it has any. */
function folderTokenizer(dir: string): TokenizerFiles | undefined {
  const files = TOKENIZER_FILES.filter((f) => existsSync(join(dir, f))).map((name) => ({
    name,
    data: readFileSync(join(dir, name)),
  }));
  return files.length > 0 ? { name: "checkpoint", source: dir, files } : undefined;
}

/** Write an HF-format folder: config.json + safetensors streamed tensor by tensor. */
async function writeHfModel<C extends ModelConfig>(
  dir: string,
  arch: Architecture<C>,
  cfg: C,
  opts: BuildModelOptions,
  seed: number | string,
): Promise<string> {
  const shapes = arch.tensorShapes(cfg);
  if (opts.weightsDir) {
    const ckpt = openCheckpoint(opts.weightsDir, arch, cfg, { keepDtype: true, warn: opts.warn });
    try {
      const plan = [...shapes].map(([name, shape]) => ({ name, shape, dtype: ckpt.dtype(name) }));
      const writer = new CheckpointWriter(dir, plan);
      try {
        for (const { name } of plan) writer.write(name, ckpt.read(name));
        writer.finish();
      } catch (e) {
        writer.abort();
        throw e;
      }
      return writeHfConfig(
        dir,
        arch,
        cfg,
        dominantDtype(plan.map((p): [DType, number] => [p.dtype, numElements(p.shape)])),
      );
    } finally {
      ckpt.close();
    }
  }
  const weights: StateDict = arch.syntheticWeights(cfg, createRandom({ seed }));
  const writer = new CheckpointWriter(
    dir,
    [...weights].map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype })),
  );
  for (const [name, t] of weights) writer.write(name, t);
  writer.finish();
  return writeHfConfig(dir, arch, cfg, "F32");
}

/** Build a model folder; see the module comment. */
export async function buildModel(opts: BuildModelOptions): Promise<BuiltModel> {
  const t0 = performance.now();
  const format = opts.format ?? "onnx";
  if (format === "hf" && (opts.weightDtype ?? "float32") !== "float32")
    throw new Error(
      `buildModel: weightDtype ${opts.weightDtype} applies to the ONNX format; an HF checkpoint keeps its source dtype`,
    );
  const { json, source, tokenizer: presetTokenizer } = resolveConfig(opts);
  const arch = getArchitecture(readString(json, "model_type", source), `${source}: field model_type`);
  const cfg = arch.parseConfig(json, source);
  const seed = opts.seed ?? 0;
  const eeSource = opts.weightsDir ? join(opts.weightsDir, EE_MANIFEST_FILE) : undefined;
  const encrypted = eeSource !== undefined && existsSync(eeSource);
  const tokenizerName = opts.tokenizer === undefined ? presetTokenizer : opts.tokenizer;
  if (encrypted && tokenizerName)
    throw new Error(`buildModel: ${opts.weightsDir} is an encrypted model; it never gets a tokenizer`);
  const tokenizer: TokenizerFiles | undefined =
    tokenizerName && !encrypted
      ? getTokenizerSource(tokenizerName).files(opts.dataDir)
      : opts.tokenizer === undefined && opts.weightsDir && !encrypted
        ? folderTokenizer(opts.weightsDir)
        : undefined;
  const dir = resolve(opts.outDir);
  mkdirSync(dir, { recursive: true });
  let configPath: string;
  let build: BuildResult | undefined;
  const tokenizerFiles: string[] = [];
  if (format === "hf") {
    configPath = await writeHfModel(dir, arch, cfg, opts, seed);
    for (const f of tokenizer?.files ?? []) {
      writeFileSync(join(dir, f.name), f.data);
      tokenizerFiles.push(f.name);
    }
  } else {
    // a checkpoint is read tensor by tensor as the folder is written (one tensor in memory, not the model)
    const lazy = opts.weightsDir ? lazyCheckpoint(opts.weightsDir, arch, cfg, { warn: opts.warn }) : null;
    const weights = lazy?.weights ?? arch.syntheticWeights(cfg, createRandom({ seed }));
    const written = await writeModelFolder(dir, arch, cfg, weights, {
      tokenizer,
      saveWeights: (opts.saveWeights ?? true) && !encrypted,
      build: {
        fused: opts.fused ?? false,
        externalDataThresholdBytes: opts.externalDataThresholdBytes,
        ...(opts.weightDtype ? { weightDtype: opts.weightDtype } : {}),
      },
    }).finally(() => lazy?.close());
    configPath = written.configPath;
    build = written.build;
    tokenizerFiles.push(...written.tokenizerFiles);
  }
  if (encrypted) {
    // ee.json binds the files it describes: describe the files of this folder, not the source's.
    const manifest = readManifest(opts.weightsDir as string);
    if (manifest.files !== undefined) manifest.files = hashModelFiles(dir);
    writeManifest(dir, manifest);
  }
  return {
    dir,
    format,
    configPath,
    build,
    tokenizerFiles,
    cfg,
    weightsSource: opts.weightsDir ?? `synthetic(seed=${seed})`,
    encrypted,
    buildMs: performance.now() - t0,
  };
}

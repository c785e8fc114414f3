/**
 * Hugging Face style model folders:
 *   config.json                HF keys (`model_type`, `architectures`, `id2label`, …); with
 *                              `transformers.js_config.use_external_data_format` when weights are external
 *   onnx/model.onnx            (+ onnx/model.onnx_data when large)
 *   model.safetensors          the plain weights (default for plain models; encrypters read them)
 *   tokenizer.json, …          plain models only, when given
 *   ee.json                    encrypted models only (written by the encrypter, read here)
 * transformers.js loads such a folder with `subfolder: "onnx"`, `model_file_name: "model"`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type StateDict, writeSafetensors } from "ee-core";
import { asObject, readString } from "./config-json.js";
import { getArchitecture } from "./registry.js";
import type {
  Architecture,
  BuildOptions,
  BuildResult,
  ModelConfig,
  ModelFolder,
  TokenizerFiles,
} from "./types.js";

/** Options of `writeModelFolder`. */
export interface WriteFolderOptions {
  /** Tokenizer files to include (plain models only). */
  tokenizer?: TokenizerFiles;
  /** How to build the ONNX graph. */
  build: BuildOptions;
  /** Also write `model.safetensors` (default true; encrypters pass false for encrypted folders). */
  saveWeights?: boolean;
}

/** What `writeModelFolder` wrote. */
export interface WrittenFolder {
  /** The folder (absolute path). */
  dir: string;
  /** config.json (file path). */
  configPath: string;
  /** model.safetensors when written (file path). */
  weightsPath?: string;
  /** The ONNX build. */
  build: BuildResult;
  /** Names of the tokenizer files written. */
  tokenizerFiles: string[];
}

/** File names that mark a folder as carrying a tokenizer. */
const TOKENIZER_MARKERS = ["tokenizer.json", "tokenizer_config.json"] as const;

/** Write a model folder for `arch`/`cfg`/`weights` (see the module comment). */
export async function writeModelFolder<C extends ModelConfig>(
  outDir: string,
  arch: Architecture<C>,
  cfg: C,
  weights: StateDict,
  opts: WriteFolderOptions,
): Promise<WrittenFolder> {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  let weightsPath: string | undefined;
  if (opts.saveWeights ?? true) {
    weightsPath = join(dir, "model.safetensors");
    writeSafetensors(weightsPath, weights, { format: "pt" });
  }
  const build = await arch.buildOnnx(cfg, weights, dir, opts.build);
  // transformers.js fetches `onnx/model.onnx_data` only when the config says so.
  const config = arch.toConfigJson(cfg);
  if (build.externalDataPath) {
    const tjs = (config["transformers.js_config"] ?? {}) as Record<string, unknown>;
    config["transformers.js_config"] = { ...tjs, use_external_data_format: true };
  }
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const tokenizerFiles: string[] = [];
  for (const f of opts.tokenizer?.files ?? []) {
    writeFileSync(join(dir, f.name), f.data);
    tokenizerFiles.push(f.name);
  }
  return { dir, configPath, weightsPath, build, tokenizerFiles };
}

/** Read a model folder's config and locate its files; errors name the folder and what is missing. */
export function readModelFolder(dir: string): ModelFolder {
  const abs = resolve(dir);
  const configPath = join(abs, "config.json");
  if (!existsSync(configPath)) throw new Error(`model folder ${abs}: config.json not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, "utf8"));
  } catch (e) {
    throw new Error(`${configPath}: not valid JSON (${(e as Error).message})`);
  }
  const modelType = readString(asObject(json, configPath), "model_type", configPath);
  const arch = getArchitecture(modelType, `${configPath}: field model_type`);
  const cfg = arch.parseConfig(json, configPath);
  const onnxPath = join(abs, "onnx", "model.onnx");
  if (!existsSync(onnxPath)) throw new Error(`model folder ${abs}: onnx/model.onnx not found`);
  const weightsPath = ["model.safetensors.index.json", "model.safetensors"]
    .map((f) => join(abs, f))
    .find((p) => existsSync(p));
  const eePath = join(abs, "ee.json");
  let eeJson: Record<string, unknown> | undefined;
  if (existsSync(eePath)) {
    try {
      eeJson = asObject(JSON.parse(readFileSync(eePath, "utf8")), eePath);
    } catch (e) {
      throw new Error(`${eePath}: not valid JSON (${(e as Error).message})`);
    }
  }
  return {
    dir: abs,
    arch: arch.name,
    cfg,
    onnxPath,
    weightsPath,
    hasTokenizer: TOKENIZER_MARKERS.some((f) => existsSync(join(abs, f))),
    eeJson,
  };
}

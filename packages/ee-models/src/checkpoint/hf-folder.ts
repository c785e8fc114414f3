/**
 * Model folders in the Hugging Face checkpoint layout (what `save_pretrained` writes and
 * `from_pretrained` reads): `config.json` + `model.safetensors` (or shards + index), plus tokenizer
 * files for a plain model and `ee.json` for an encrypted one. No ONNX graph: `ee build <folder>` turns
 * one into an ONNX folder.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type DType, SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE } from "ee-core";
import { asObject, readString } from "../config-json.js";
import { getArchitecture } from "../registry.js";
import type { Architecture, ArchName, ModelConfig } from "../types.js";
import { PYTORCH_SINGLE_FILE } from "./pytorch/reader.js";

/** A model folder's format. */
export type ModelFormat = "onnx" | "hf";

/** The formats, for option parsing. */
export const MODEL_FORMATS: readonly ModelFormat[] = ["onnx", "hf"];

/** `torch_dtype` of config.json for a safetensors dtype. */
const TORCH_DTYPE: Partial<Record<DType, string>> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  F64: "float64",
};

/** The format of the folder `dir`: `onnx` when it has `onnx/model.onnx`, else `hf`. */
export function detectFormat(dir: string): ModelFormat {
  return existsSync(join(dir, "onnx", "model.onnx")) ? "onnx" : "hf";
}

/** Write `config.json` for `cfg` with `torch_dtype` set from the weights' dtype; returns its path. */
export function writeHfConfig<C extends ModelConfig>(
  dir: string,
  arch: Architecture<C>,
  cfg: C,
  dtype: DType,
): string {
  const json = arch.toConfigJson(cfg);
  delete json["transformers.js_config"];
  const torch = TORCH_DTYPE[dtype];
  if (torch !== undefined) json.torch_dtype = torch;
  const path = join(dir, "config.json");
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  return path;
}

/** The dtype most of the planned bytes have (what `torch_dtype` reports). */
export function dominantDtype(dtypes: Iterable<[DType, number]>): DType {
  const bytes = new Map<DType, number>();
  for (const [d, n] of dtypes) bytes.set(d, (bytes.get(d) ?? 0) + n);
  let best: DType = "F32";
  let most = -1;
  for (const [d, n] of bytes) {
    if (n > most) {
      best = d;
      most = n;
    }
  }
  return best;
}

/** What `readFolderConfig` found in a model folder of either format. */
export interface FolderConfig {
  /** The folder (absolute path). */
  dir: string;
  /** Architecture from config.json `model_type`. */
  arch: ArchName;
  /** Parsed config. */
  cfg: ModelConfig;
  /** `onnx/model.onnx` when the folder has one (file path). */
  onnxPath?: string;
  /** Whether weights (safetensors, shards or pytorch_model.bin) are present. */
  hasWeights: boolean;
  /** Parsed `ee.json` when the folder is an encrypted model. */
  eeJson?: Record<string, unknown>;
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Read the config of a model folder in either format; errors name the folder and what is missing. */
export function readFolderConfig(dir: string): FolderConfig {
  const abs = resolve(dir);
  const configPath = join(abs, "config.json");
  if (!existsSync(configPath)) throw new Error(`model folder ${abs}: config.json not found`);
  const json = readJsonFile(configPath);
  const arch = getArchitecture(
    readString(asObject(json, configPath), "model_type", configPath),
    `${configPath}: field model_type`,
  );
  const onnxPath = join(abs, "onnx", "model.onnx");
  const eePath = join(abs, "ee.json");
  return {
    dir: abs,
    arch: arch.name,
    cfg: arch.parseConfig(json, configPath),
    onnxPath: existsSync(onnxPath) ? onnxPath : undefined,
    hasWeights: [SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE, PYTORCH_SINGLE_FILE].some((f) =>
      existsSync(join(abs, f)),
    ),
    eeJson: existsSync(eePath) ? asObject(readJsonFile(eePath), eePath) : undefined,
  };
}

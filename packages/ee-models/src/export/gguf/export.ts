/**
 * `exportLlamaGguf`: a plain or encrypted Llama model folder → one GGUF file for llama.cpp.
 *
 * Where the weights come from: a plain folder keeps them in `model.safetensors`; an encrypted folder
 * holds them only as initializers of `onnx/model.onnx` (HF names and layout), which is what is read
 * then. 1-D tensors (norm gains, RoPE factors) stay f32, as llama.cpp's converter keeps them; every
 * 2-D weight is written in the requested type.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StateDict } from "ee-core";
import { loadCheckpoint } from "../../checkpoint.js";
import { readModelFolder } from "../../folder.js";
import type { LlamaConfig } from "../../llama/config.js";
import { llamaTensorShapes } from "../../llama/weights.js";
import { readOnnxInitializers } from "../../onnx/reader.js";
import { getArchitecture } from "../../registry.js";
import { encodeTensor } from "./encode.js";
import {
  GGUF_ROPE_FREQS,
  llama3RopeFactors,
  llamaGgufNames,
  permuteRopeRows,
  ropeRowHeads,
} from "./llama-layout.js";
import { llamaMetadata } from "./llama-metadata.js";
import type { GgufMetadata } from "./metadata.js";
import { GGML_TYPES, type GgmlTypeName } from "./tensor-types.js";
import { bpeVocabMetadata, type GgufVocabKind, noVocabMetadata } from "./vocab.js";
import { type GgufTensorSpec, writeGguf } from "./writer.js";

/** Options of `exportLlamaGguf`. */
export interface GgufExportOptions {
  /** Element type of the 2-D weights. */
  type: GgmlTypeName;
  /** Output file (default `<folder>/model-<type>.gguf`). */
  out?: string;
  /** Replace an existing output file (default false: error). */
  overwrite?: boolean;
}

/** What `exportLlamaGguf` wrote. */
export interface GgufExport {
  /** The GGUF file (absolute path). */
  path: string;
  /** File size (bytes). */
  fileBytes: number;
  /** Element type of the 2-D weights. */
  type: GgmlTypeName;
  /** Whether the folder was encrypted (ee.json present). */
  encrypted: boolean;
  /** Vocabulary written (`no_vocab` for encrypted folders). */
  vocab: GgufVocabKind;
  /** Why a plain folder got `no_vocab`, when it did. */
  vocabNote?: string;
  /** Wall time of reading, converting and writing (s). */
  seconds: number;
}

/** The folder's weights as HF-named F32 tensors: safetensors when present, else the ONNX initializers. */
function readWeights(
  dir: string,
  cfg: LlamaConfig,
  weightsPath: string | undefined,
  onnxPath: string,
): StateDict {
  if (weightsPath !== undefined) return loadCheckpoint(dir, getArchitecture<LlamaConfig>("llama"), cfg);
  const names = [...llamaTensorShapes(cfg).keys()];
  const sd = readOnnxInitializers(onnxPath, names);
  for (const [name, t] of sd) {
    if (!(t.data instanceof Float32Array))
      throw new Error(`${onnxPath}: initializer ${name} has dtype ${t.dtype}; GGUF export reads F32 weights`);
  }
  return sd;
}

/** Default output path of an export. */
export function defaultGgufPath(folder: string, type: GgmlTypeName): string {
  return join(resolve(folder), `model-${type}.gguf`);
}

/** Export the Llama folder `folder` as GGUF (see the module comment). */
export function exportLlamaGguf(folder: string, opts: GgufExportOptions): GgufExport {
  const t0 = performance.now();
  if (!(opts.type in GGML_TYPES))
    throw new Error(
      `gguf export: --type must be one of ${Object.keys(GGML_TYPES).join(", ")}, got "${opts.type}"`,
    );
  const mf = readModelFolder(folder);
  if (mf.arch !== "llama")
    throw new Error(`gguf export: ${mf.dir} is a ${mf.arch} model; GGUF export supports Llama models only`);
  const cfg = mf.cfg as LlamaConfig;
  const out = resolve(opts.out ?? defaultGgufPath(mf.dir, opts.type));
  if (existsSync(out) && !opts.overwrite)
    throw new Error(`gguf export: ${out} exists (pass --overwrite to replace it)`);
  const encrypted = mf.eeJson !== undefined;
  const weights = readWeights(mf.dir, cfg, mf.weightsPath, mf.onnxPath);

  let vocab: GgufVocabKind = "no_vocab";
  let vocabNote: string | undefined;
  let tokenizerMeta: GgufMetadata = noVocabMetadata();
  if (!encrypted) {
    const tj = join(mf.dir, "tokenizer.json");
    const real = existsSync(tj)
      ? bpeVocabMetadata(tj, cfg)
      : { ok: false as const, reason: "no tokenizer.json" };
    if (real.ok) {
      vocab = "llama-bpe";
      tokenizerMeta = real.metadata;
    } else vocabNote = real.reason;
  }
  const name = encrypted ? "ee-encrypted-llama" : String(cfg.raw._name_or_path ?? "llama");
  const metadata: GgufMetadata = [...llamaMetadata(cfg, opts.type, name), ...tokenizerMeta];

  const gtype = GGML_TYPES[opts.type];
  const specs: GgufTensorSpec[] = [];
  const factors = llama3RopeFactors(cfg);
  if (factors !== null)
    specs.push({
      name: GGUF_ROPE_FREQS,
      ne: [factors.length],
      typeCode: 0,
      data: () => encodeTensor(factors, "f32"),
    });
  for (const [hf, gg] of llamaGgufNames(cfg)) {
    const t = weights.get(hf);
    if (!t) throw new Error(`gguf export: ${mf.dir} has no tensor ${hf}`);
    const is2d = t.shape.length === 2;
    const ne = [...t.shape].reverse(); // HF [out, in] row-major = ggml ne [in, out]
    const type: GgmlTypeName = is2d ? opts.type : "f32";
    specs.push({
      name: gg,
      ne,
      typeCode: GGML_TYPES[type].code,
      data: () => {
        let x = t.data as Float32Array;
        const heads = ropeRowHeads(cfg, hf);
        if (heads !== null) x = permuteRopeRows(x, heads, cfg.headDim, t.shape[1]);
        const bytes = encodeTensor(x, type);
        weights.delete(hf); // release each tensor once written
        return bytes;
      },
    });
  }
  if (gtype.blockSize > 1) {
    const bad = specs.filter((s) => s.typeCode === gtype.code && s.ne[0] % gtype.blockSize !== 0);
    if (bad.length > 0)
      throw new Error(
        `gguf export: ${opts.type} needs rows that are multiples of ${gtype.blockSize}; ${bad[0].name} has ${bad[0].ne[0]}`,
      );
  }
  const tmp = `${out}.partial`;
  try {
    writeGguf(tmp, metadata, specs);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return {
    path: out,
    fileBytes: statSync(out).size,
    type: opts.type,
    encrypted,
    vocab,
    vocabNote,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * `encryptModelFolder`: a plain model folder — an ONNX folder from `ee build` (config.json + onnx/ +
 * model.safetensors + tokenizer) or a Hugging Face checkpoint folder (config.json + safetensors or
 * pytorch_model.bin) — → an encrypted folder and a key file kept by the client (ee-core `saveKey`,
 * mode 0600). The encrypted folder never holds a tokenizer or anything from which π can be read.
 *
 * `format: "onnx"` (default): config.json + onnx/ + ee.json. The encrypted graph is built by the same
 * architecture builder with the same build options as the plain one (fused ops are detected from the
 * plain graph's opset imports), so ops and shapes match.
 * `format: "hf"`: config.json + model.safetensors (sharded above 5 GB, source dtype kept) + ee.json, a
 * checkpoint HF's own classes load unchanged; written by `streamEncrypt`, one layer at a time.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  assertFiniteTensors,
  createRandom,
  type DType,
  fingerprintKey,
  numElements,
  refuseExisting,
  saveKey,
  writeFolderSafe,
} from "ee-core";
import { dominantDtype, type ModelFormat, readFolderConfig, writeHfConfig } from "../checkpoint/hf-folder.js";
import { CheckpointWriter } from "../checkpoint/writer.js";
import { loadCheckpoint, openCheckpoint } from "../checkpoint.js";
import { writeModelFolder } from "../folder.js";
import { getArchitecture } from "../registry.js";
import { getTokenizerSource, tokenizerNames } from "../tokenizers/registry.js";
import type { BuildOptions } from "../types.js";
import { applyKey, makeSchemeKey } from "./encrypt.js";
import { resolveHomophones } from "./homophone-corpus.js";
import type { HomophoneOptions } from "./homophones.js";
import {
  EE_MANIFEST_FILE,
  EE_MANIFEST_FORMAT,
  type EEManifest,
  hashModelFiles,
  SUITE_VERSION,
  sha256File,
  writeManifest,
} from "./manifest.js";
import type { getEncrypter } from "./registry.js";
import { DEFAULT_SCHEME, getScheme } from "./schemes.js";
import { streamEncrypt } from "./stream.js";

/** Options of `encryptModelFolder`. */
export interface EncryptFolderOptions {
  /** Where the key is written (file path; must lie outside the encrypted folder). */
  keyPath: string;
  /** Registered scheme name; default `"full"`. */
  scheme?: string;
  /** Seed for a reproducible key (NOT secret; a warning is printed). Default: CSPRNG. */
  seed?: string | number;
  /** Progress: (tensors done, tensors in all, tensor name). */
  onProgress?: (done: number, total: number, name: string) => void;
  /** Build options of the encrypted graph; default: those of the plain graph (fused detected, no threshold). */
  build?: BuildOptions;
  /** Tokenizer registry key recorded in ee.json; default: detected from the plain folder's tokenizer.json. */
  tokenizer?: string;
  /** Preset name recorded in ee.json, when known. */
  preset?: string;
  /** Replace an existing output folder (an encrypted one only) and key file, atomically (default false: error). */
  overwrite?: boolean;
  /** Where warnings go (default `console.warn`). */
  warn?: (message: string) => void;
  /** Output format (default `onnx`). */
  format?: ModelFormat;
  /** `hf` format, Llama: rows per streamed block of the embedding and LM head (rows; default 16,384). */
  vocabBlockRows?: number;
  /** Scheme `homophonic` only: token counts and the budget of extra ids (default: `homophonesFrom`). */
  homophones?: HomophoneOptions;
  /**
   * Scheme `homophonic` only, without `homophones`: a text file whose lines the plain folder's
   * tokenizer counts (default: `homophone-corpus.ts`'s default corpus).
   */
  homophonesFrom?: string;
  /** Scheme `homophonic` only, without `homophones`: extra encrypted ids (ids; default ⌊V/4⌋). */
  homophoneExtraIds?: number;
}

/** What `encryptModelFolder` wrote. */
export interface EncryptedFolder {
  /** The encrypted folder (absolute path). */
  dir: string;
  /** The key file (absolute path). */
  keyPath: string;
  /** The manifest written as ee.json. */
  manifest: EEManifest;
  /** Seconds spent transforming the weights (s). */
  encryptSeconds: number;
  /** Seconds spent building and writing the encrypted ONNX graph, 0 for `hf` (s). */
  buildSeconds: number;
  /** The format written. */
  format: ModelFormat;
}

/** True when the ONNX file imports the `com.microsoft` domain (the fused-op build). */
function usesContribOps(onnxPath: string): boolean {
  const needle = Buffer.from("com.microsoft");
  const fd = openSync(onnxPath, "r");
  try {
    const size = statSync(onnxPath).size;
    const chunk = Buffer.alloc(Math.min(size, 64 << 20) + needle.length);
    for (let pos = 0; pos < size; pos += chunk.length - needle.length) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (chunk.subarray(0, n).includes(needle)) return true;
      if (n < chunk.length) break;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** The registered tokenizer whose tokenizer.json equals the plain folder's, if any. */
function detectTokenizer(plainDir: string): string | undefined {
  const path = join(plainDir, "tokenizer.json");
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, "utf8");
  for (const name of tokenizerNames()) {
    try {
      const file = getTokenizerSource(name)
        .files()
        .files.find((f) => f.name === "tokenizer.json");
      const data =
        typeof file?.data === "string"
          ? file.data
          : file
            ? Buffer.from(file.data).toString("utf8")
            : undefined;
      if (data === text) return name;
    } catch {
      // source unavailable here (no data dir / package): cannot be this one
    }
  }
  return undefined;
}

/** Encrypt the plain model folder `plainDir` into `encDir`; see the module comment. */
export async function encryptModelFolder(
  plainDir: string,
  encDir: string,
  opts: EncryptFolderOptions,
): Promise<EncryptedFolder> {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const format = opts.format ?? "onnx";
  const plain = readFolderConfig(plainDir);
  const dir = resolve(encDir);
  const keyPath = resolve(opts.keyPath);
  if (plain.eeJson !== undefined)
    throw new Error(`${plain.dir}: already an encrypted model folder (has ee.json)`);
  if (!plain.hasWeights) {
    throw new Error(
      `${plain.dir}: no model.safetensors (nor pytorch_model.bin); the encrypter needs the plain weights (build with saveWeights)`,
    );
  }
  if (dir === plain.dir) throw new Error(`encrypt: output folder ${dir} is the plain folder`);
  const rel = relative(dir, keyPath);
  if (!rel.startsWith("..") && rel !== keyPath) {
    throw new Error(
      `encrypt: key file ${keyPath} lies inside the encrypted folder ${dir}; the key must stay with the client`,
    );
  }
  // Refused before any work: an existing folder or key is replaced only with `overwrite` (atomically,
  // once the new one is complete), and a folder that is not an encrypted model never.
  const notEncrypted = (d: string) =>
    existsSync(join(d, EE_MANIFEST_FILE)) ? undefined : "it is not an encrypted model folder (no ee.json)";
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0))
    refuseExisting(dir, { overwrite: opts.overwrite, what: "encrypt: output folder" }, "folder");
  if (opts.overwrite && existsSync(dir) && readdirSync(dir).length > 0) {
    const veto = notEncrypted(dir);
    if (veto) throw new Error(`encrypt: output folder ${dir}: not replaced: ${veto}`);
  }
  if (existsSync(keyPath) && statSync(keyPath).isDirectory())
    throw new Error(`encrypt: key file ${keyPath} is a folder; give a file path`);
  refuseExisting(keyPath, { overwrite: opts.overwrite, what: "encrypt: key file" }, "file");
  if (!existsSync(dirname(keyPath))) throw new Error(`encrypt: folder of key file ${keyPath} does not exist`);
  const scheme = getScheme(opts.scheme ?? DEFAULT_SCHEME);
  const arch = getArchitecture(plain.arch);
  const build: BuildOptions = opts.build ?? {
    fused: plain.onnxPath !== undefined && usesContribOps(plain.onnxPath),
  };
  const tokenizer = opts.tokenizer ?? detectTokenizer(plain.dir);

  const rng = opts.seed === undefined ? createRandom() : createRandom({ seed: opts.seed });
  if (scheme.identity) {
    warn(
      `warning: scheme ${scheme.name} leaves ${dir} unencrypted (identity key): an A/A benchmark control only`,
    );
  }
  if (rng.reproducible) {
    warn(
      `warning: key for ${dir} is derived from a seed: reproducible by anyone who knows the seed, NOT secret`,
    );
  }
  const t0 = performance.now();
  let homophones = opts.homophones;
  if (!scheme.homophonic && (opts.homophonesFrom !== undefined || opts.homophoneExtraIds !== undefined))
    throw new Error(`encrypt: homophone options apply to scheme homophonic only, not ${scheme.name}`);
  if (scheme.homophonic && homophones === undefined) {
    const r = await resolveHomophones(
      plain.dir,
      plain.cfg.vocabSize,
      opts.homophonesFrom,
      opts.homophoneExtraIds,
    );
    warn(`note: homophone counts from ${r.source}; ${r.options.extraIds} extra encrypted ids`);
    homophones = r.options;
  }
  const key = makeSchemeKey(plain.cfg, scheme, rng, homophones);
  const manifest: EEManifest = {
    format: EE_MANIFEST_FORMAT,
    scheme: scheme.name,
    architecture: plain.arch,
    suiteVersion: SUITE_VERSION,
    keyFingerprint: fingerprintKey(key),
    createdAt: new Date().toISOString(),
    reproducible: key.reproducible,
  };
  if (tokenizer !== undefined) manifest.tokenizer = tokenizer;
  const plainTokenizer = join(plain.dir, "tokenizer.json");
  if (existsSync(plainTokenizer)) manifest.tokenizerSha256 = sha256File(plainTokenizer);
  if (opts.preset !== undefined) manifest.preset = opts.preset;
  let t1 = t0;
  // The folder is written under a temporary name; the key is saved last inside that step, then the
  // folder is renamed into place: a crash leaves no folder whose ee.json names an unsaved key, and
  // never a half-written folder under the output name.
  await writeFolderSafe(
    dir,
    async (tmp) => {
      if (format === "hf") {
        await writeHfEncrypted(tmp, plain.dir, arch, plain.cfg, key, opts, warn);
        t1 = performance.now();
      } else {
        const weights = loadCheckpoint(plain.dir, arch, plain.cfg, { warn });
        assertFiniteTensors(weights, `checkpoint ${plain.dir}`);
        const enc = await applyKey(plain.cfg, weights, key, {
          consumeInput: true,
          onProgress: opts.onProgress,
        });
        t1 = performance.now();
        await writeModelFolder(tmp, arch, enc.cfg, enc.weights, { build, saveWeights: false });
      }
      manifest.files = hashModelFiles(tmp);
      writeManifest(tmp, manifest);
      saveKey(keyPath, key, { overwrite: opts.overwrite });
    },
    { overwrite: opts.overwrite, what: "encrypt: output folder", check: notEncrypted },
  );
  return {
    dir,
    keyPath,
    manifest,
    encryptSeconds: (t1 - t0) / 1000,
    buildSeconds: format === "hf" ? 0 : (performance.now() - t1) / 1000,
    format,
  };
}

/** `format: "hf"`: stream the plain checkpoint through the key into `dir`, one layer at a time. */
async function writeHfEncrypted(
  dir: string,
  plainDir: string,
  arch: ReturnType<typeof getArchitecture>,
  cfg: Parameters<ReturnType<typeof getEncrypter>["makeKey"]>[0],
  key: ReturnType<ReturnType<typeof getEncrypter>["makeKey"]>,
  opts: EncryptFolderOptions,
  warn: (message: string) => void,
): Promise<void> {
  const ckpt = openCheckpoint(plainDir, arch, cfg, { warn });
  let writer: CheckpointWriter | undefined;
  try {
    let dtype: DType = "F32";
    const cfgOut = await streamEncrypt(
      ckpt,
      arch,
      cfg,
      key,
      {
        begin: (_cfg, planned) => {
          writer = new CheckpointWriter(dir, planned);
          dtype = dominantDtype(planned.map((p): [DType, number] => [p.dtype, numElements(p.shape)]));
        },
        writePart: (name, offset, data) => writer?.writePart(name, offset, data),
      },
      { onProgress: opts.onProgress, vocabBlockRows: opts.vocabBlockRows },
    );
    writer?.finish();
    writeHfConfig(dir, arch, cfgOut, dtype);
  } catch (e) {
    writer?.abort();
    throw e;
  } finally {
    ckpt.close();
  }
}

/**
 * `encryptModelFolder`: a plain model folder (config.json + onnx/ + model.safetensors + tokenizer)
 * → an encrypted folder (config.json + onnx/ + ee.json; no tokenizer, no weights file, nothing from
 * which π can be read) and a key file kept by the client (ee-core `saveKey`, mode 0600).
 *
 * The encrypted graph is built by the same architecture builder with the same build options as the
 * plain one (fused ops are detected from the plain graph's opset imports), so ops and shapes match.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import {
  assertFiniteTensors,
  createRandom,
  fingerprintKey,
  refuseExisting,
  saveKey,
  writeFolderSafe,
} from "ee-core";
import { loadCheckpoint } from "../checkpoint.js";
import { readModelFolder, writeModelFolder } from "../folder.js";
import { getArchitecture } from "../registry.js";
import { getTokenizerSource, tokenizerNames } from "../tokenizers/registry.js";
import type { BuildOptions } from "../types.js";
import { encryptWeights } from "./encrypt.js";
import {
  EE_MANIFEST_FILE,
  EE_MANIFEST_FORMAT,
  type EEManifest,
  hashModelFiles,
  SUITE_VERSION,
  sha256File,
  writeManifest,
} from "./manifest.js";
import { DEFAULT_SCHEME, getScheme } from "./schemes.js";

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
  /** Seconds spent building and writing the encrypted ONNX graph (s). */
  buildSeconds: number;
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
  const plain = readModelFolder(plainDir);
  const dir = resolve(encDir);
  const keyPath = resolve(opts.keyPath);
  if (plain.eeJson !== undefined)
    throw new Error(`${plain.dir}: already an encrypted model folder (has ee.json)`);
  if (plain.weightsPath === undefined) {
    throw new Error(
      `${plain.dir}: no model.safetensors; the encrypter needs the plain weights (build with saveWeights)`,
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
  const build: BuildOptions = opts.build ?? { fused: usesContribOps(plain.onnxPath) };
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
  const weights = loadCheckpoint(plain.dir, arch, plain.cfg);
  assertFiniteTensors(weights, `${plain.weightsPath}`);
  const enc = await encryptWeights(plain.cfg, weights, {
    scheme: scheme.name,
    rng,
    consumeInput: true,
    onProgress: opts.onProgress,
  });
  const t1 = performance.now();
  const manifest: EEManifest = {
    format: EE_MANIFEST_FORMAT,
    scheme: scheme.name,
    architecture: plain.arch,
    suiteVersion: SUITE_VERSION,
    keyFingerprint: fingerprintKey(enc.key),
    createdAt: new Date().toISOString(),
    reproducible: enc.key.reproducible,
  };
  if (tokenizer !== undefined) manifest.tokenizer = tokenizer;
  const plainTokenizer = join(plain.dir, "tokenizer.json");
  if (existsSync(plainTokenizer)) manifest.tokenizerSha256 = sha256File(plainTokenizer);
  if (opts.preset !== undefined) manifest.preset = opts.preset;
  // The folder is written under a temporary name; the key is saved last inside that step, then the
  // folder is renamed into place: a crash leaves no folder whose ee.json names an unsaved key, and
  // never a half-written folder under the output name.
  await writeFolderSafe(
    dir,
    async (tmp) => {
      await writeModelFolder(tmp, arch, enc.cfg, enc.weights, { build, saveWeights: false });
      manifest.files = hashModelFiles(tmp);
      writeManifest(tmp, manifest);
      saveKey(keyPath, enc.key, { overwrite: opts.overwrite });
    },
    { overwrite: opts.overwrite, what: "encrypt: output folder", check: notEncrypted },
  );
  return {
    dir,
    keyPath,
    manifest,
    encryptSeconds: (t1 - t0) / 1000,
    buildSeconds: (performance.now() - t1) / 1000,
  };
}

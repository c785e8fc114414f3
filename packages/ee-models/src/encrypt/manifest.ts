/**
 * `ee.json`: what marks a model folder as encrypted (docs/design.md §5). Public information only: the
 * scheme, the architecture, the suite version and the fingerprint of the key — never key material.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { getScheme, type SchemeName } from "./schemes.js";

/** File name of the manifest inside an encrypted folder. */
export const EE_MANIFEST_FILE = "ee.json";

/** Value of the `format` field. */
export const EE_MANIFEST_FORMAT = "ee-encrypted-model";

/** Version of this suite written into manifests (package version of ee-models). */
export const SUITE_VERSION = "0.1.0";

/** Contents of `ee.json`. */
export interface EEManifest {
  /** Always `"ee-encrypted-model"`. */
  format: typeof EE_MANIFEST_FORMAT;
  /** Registered scheme the model was encrypted with. */
  scheme: SchemeName;
  /** Architecture registry key (`model_type`). */
  architecture: string;
  /** Suite version that wrote the folder. */
  suiteVersion: string;
  /** SHA-256 fingerprint of the key (ee-core `fingerprintKey`, 64 hex characters). */
  keyFingerprint: string;
  /** ISO-8601 time the folder was written. */
  createdAt: string;
  /** True when the key came from a seed: reproducible, therefore NOT secret. */
  reproducible: boolean;
  /** Tokenizer registry key of the plain model, when known (the client tokenizes; the folder has none). */
  tokenizer?: string;
  /** Preset name of the plain model, when known. */
  preset?: string;
  /**
   * The model files this manifest describes: path relative to the folder → SHA-256 (hex). The client
   * refuses a folder whose files differ (another model's graph copied in). Absent in older folders.
   */
  files?: Record<string, string>;
  /** SHA-256 (hex) of the plain model's tokenizer.json the client must tokenize with, when known. */
  tokenizerSha256?: string;
}

/** SHA-256 (hex) of a file, read in chunks. */
export function sha256File(path: string): string {
  const h = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8 << 20);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null))
      h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

/**
 * GGUF exports that `ee export` and the llamacpp engine write beside the folder's model files
 * (`model-<type>.gguf`): derived from the bound files, one per quantization type, and written after
 * ee.json, so they are not bound themselves.
 */
const DERIVED_EXPORT = /^model-[a-z0-9_]+\.gguf$/;

/** Files of a model folder that ee.json binds: every regular file except ee.json and derived exports (relative paths, sorted). */
function modelFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (
        e.isFile() &&
        !(d === dir && (e.name === EE_MANIFEST_FILE || DERIVED_EXPORT.test(e.name))) &&
        !e.name.startsWith(".")
      ) {
        out.push(relative(dir, p));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** `files` for a manifest of the folder `dir`: SHA-256 of each model file. */
export function hashModelFiles(dir: string): Record<string, string> {
  return Object.fromEntries(modelFiles(dir).map((f) => [f, sha256File(join(dir, f))]));
}

/**
 * Throws unless the folder holds exactly the model files its ee.json describes (when it lists them):
 * a changed, missing or extra file is named with both hashes. `hash` computes a file's SHA-256 (the
 * client passes its stat-keyed digest cache, client/digest-cache.ts).
 */
export function verifyManifestFiles(
  dir: string,
  m: EEManifest,
  hash: (path: string) => string = sha256File,
): void {
  if (m.files === undefined) return;
  const path = join(dir, EE_MANIFEST_FILE);
  for (const [f, want] of Object.entries(m.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`${p}: missing; ${path} describes it (sha256 ${want.slice(0, 12)}…)`);
    const got = hash(p);
    if (got !== want) {
      throw new Error(
        `${p} (sha256 ${got.slice(0, 12)}…) is not the file ${path} describes (sha256 ${want.slice(0, 12)}…): the folder holds another model's file`,
      );
    }
  }
  for (const f of modelFiles(dir)) {
    if (!(f in m.files))
      throw new Error(`${join(dir, f)}: not described by ${path} (a file from another model?)`);
  }
}

/**
 * Throws when the client's tokenizer folder `tokenizerDir` is not the tokenizer ee.json expects
 * (`tokenizerSha256`), naming both sides.
 */
export function checkClientTokenizer(m: EEManifest, tokenizerDir: string, encDir: string): void {
  if (m.tokenizerSha256 === undefined) return;
  const p = join(tokenizerDir, "tokenizer.json");
  if (!existsSync(p)) throw new Error(`client tokenizer ${p} not found`);
  const got = sha256File(p);
  if (got !== m.tokenizerSha256) {
    throw new Error(
      `client tokenizer ${p} (sha256 ${got.slice(0, 12)}…) is not the tokenizer ${join(encDir, EE_MANIFEST_FILE)} expects (${m.tokenizer ?? "tokenizer"}, sha256 ${m.tokenizerSha256.slice(0, 12)}…): give the plain model folder this model was encrypted from`,
    );
  }
}

/** Write `dir/ee.json`. */
export function writeManifest(dir: string, m: EEManifest): string {
  const path = join(dir, EE_MANIFEST_FILE);
  writeFileSync(path, `${JSON.stringify(m, null, 2)}\n`);
  return path;
}

function field<T>(o: Record<string, unknown>, name: string, type: "string" | "boolean", path: string): T {
  const v = o[name];
  if (typeof v !== type)
    throw new Error(`${path}: field "${name}" must be a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Read and validate `dir/ee.json`; errors name the file and the field. */
export function readManifest(dir: string): EEManifest {
  const path = join(dir, EE_MANIFEST_FILE);
  if (!existsSync(path)) throw new Error(`${dir}: no ${EE_MANIFEST_FILE} (not an encrypted model folder)`);
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o))
    throw new Error(`${path}: must be a JSON object`);
  const j = o as Record<string, unknown>;
  if (j.format !== EE_MANIFEST_FORMAT)
    throw new Error(`${path}: field "format" must be "${EE_MANIFEST_FORMAT}"`);
  const scheme = field<string>(j, "scheme", "string", path);
  getScheme(scheme); // unknown scheme → error listing the known ones
  const fp = field<string>(j, "keyFingerprint", "string", path);
  if (!/^[0-9a-f]{64}$/.test(fp))
    throw new Error(`${path}: field "keyFingerprint" must be 64 lower-case hex characters`);
  const m: EEManifest = {
    format: EE_MANIFEST_FORMAT,
    scheme: scheme as SchemeName,
    architecture: field<string>(j, "architecture", "string", path),
    suiteVersion: field<string>(j, "suiteVersion", "string", path),
    keyFingerprint: fp,
    createdAt: field<string>(j, "createdAt", "string", path),
    reproducible: field<boolean>(j, "reproducible", "boolean", path),
  };
  if (j.tokenizer !== undefined) m.tokenizer = field<string>(j, "tokenizer", "string", path);
  if (j.preset !== undefined) m.preset = field<string>(j, "preset", "string", path);
  if (j.files !== undefined) {
    const files = j.files;
    if (typeof files !== "object" || files === null || Array.isArray(files))
      throw new Error(`${path}: field "files" must be an object of path → sha256`);
    for (const [f, h] of Object.entries(files)) {
      if (typeof h !== "string" || !/^[0-9a-f]{64}$/.test(h))
        throw new Error(`${path}: field "files" entry "${f}" must be 64 lower-case hex characters`);
      if (f.startsWith("/") || f.split(/[\\/]/).includes(".."))
        throw new Error(`${path}: field "files" entry "${f}" must be a path inside the folder`);
    }
    m.files = files as Record<string, string>;
  }
  if (j.tokenizerSha256 !== undefined) {
    const t = field<string>(j, "tokenizerSha256", "string", path);
    if (!/^[0-9a-f]{64}$/.test(t))
      throw new Error(`${path}: field "tokenizerSha256" must be 64 lower-case hex characters`);
    m.tokenizerSha256 = t;
  }
  return m;
}

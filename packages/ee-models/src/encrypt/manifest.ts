/**
 * `ee.json`: what marks a model folder as encrypted (DESIGN.md §5). Public information only: the
 * scheme, the architecture, the suite version and the fingerprint of the key — never key material.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  return m;
}

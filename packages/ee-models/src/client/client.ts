/**
 * `EEClient`: the client's key, checked against an encrypted folder's `ee.json`, and the codec built
 * from it. Every way a key can fail to fit is its own error (`EEKeyError.code`), never garbage output.
 */
import { type EEKey, fingerprintKey, loadKey } from "ee-core";
import { type EEManifest, readManifest, verifyManifestFiles } from "../encrypt/manifest.js";
import { EECodec, type TokenIds } from "./codec.js";
import { FileDigests, type FileDigestsOptions } from "./digest-cache.js";

/** Why a key does not fit an encrypted model. */
export type EEKeyErrorCode = "corrupt" | "architecture" | "scheme" | "fingerprint";

/** A key that cannot be used with an encrypted model folder. */
export class EEKeyError extends Error {
  /** Which check failed. */
  readonly code: EEKeyErrorCode;
  constructor(code: EEKeyErrorCode, message: string) {
    super(message);
    this.name = "EEKeyError";
    this.code = code;
  }
}

/** The key of one encrypted model, validated, with its codec. */
export class EEClient {
  /** The encrypted folder (path as given). */
  readonly encDir: string;
  /** Its `ee.json`. */
  readonly manifest: EEManifest;
  /** The key (secret: never log it). */
  readonly key: EEKey;
  /** Ids and logits transforms of the key. */
  readonly codec: EECodec;

  private constructor(encDir: string, manifest: EEManifest, key: EEKey) {
    this.encDir = encDir;
    this.manifest = manifest;
    this.key = key;
    this.codec = new EECodec(key);
  }

  /**
   * Load `keyPath` and check it against `encDir/ee.json`, in this order: the key file is readable
   * and intact (`corrupt`), made for the folder's architecture (`architecture`) and scheme
   * (`scheme`), and is the very key the folder was encrypted with (`fingerprint`); then the folder's
   * files are the ones ee.json describes (`verifyManifestFiles`), their digests taken from the
   * stat-keyed digest cache where a file is unchanged (`digests`: `verifyFull` rehashes every file).
   */
  static open(encDir: string, keyPath: string, digests: FileDigestsOptions = {}): EEClient {
    const manifest = readManifest(encDir);
    let key: EEKey;
    try {
      key = loadKey(keyPath);
    } catch (e) {
      throw new EEKeyError(
        "corrupt",
        `key file ${keyPath} is unreadable or corrupt: ${(e as Error).message}`,
      );
    }
    if (key.architecture !== manifest.architecture) {
      throw new EEKeyError(
        "architecture",
        `key file ${keyPath} is for architecture '${key.architecture}', but ${encDir} is a '${manifest.architecture}' model`,
      );
    }
    if (key.scheme !== manifest.scheme) {
      throw new EEKeyError(
        "scheme",
        `key file ${keyPath} uses scheme '${key.scheme}', but ${encDir} was encrypted with scheme '${manifest.scheme}'`,
      );
    }
    const fp = fingerprintKey(key);
    if (fp !== manifest.keyFingerprint) {
      throw new EEKeyError(
        "fingerprint",
        `key file ${keyPath} (fingerprint ${fp.slice(0, 12)}…) is not the key ${encDir} was encrypted with (${manifest.keyFingerprint.slice(0, 12)}…)`,
      );
    }
    const cache = FileDigests.open(digests);
    try {
      verifyManifestFiles(encDir, manifest, (p) => cache.sha256(p));
    } finally {
      cache.save();
    }
    return new EEClient(encDir, manifest, key);
  }

  /** π(ids). */
  encryptIds<T extends TokenIds>(ids: T): T {
    return this.codec.encryptIds(ids);
  }

  /** π⁻¹(ids'). */
  decryptIds<T extends TokenIds>(ids: T): T {
    return this.codec.decryptIds(ids);
  }

  /** Vocabulary logits `[…, V]` back in plain token order. */
  decryptLogits(logits: Float32Array): Float32Array {
    return this.codec.decryptLogits(logits);
  }

  /** Class logits `[B, L]` back in plain label order. */
  decryptClassLogits(logits: Float32Array, numLabels: number): Float32Array {
    return this.codec.decryptClassLogits(logits, numLabels);
  }

  /** Plain class names from the key's metadata (encrypted configs carry generic names), if recorded. */
  plainLabels(): string[] | undefined {
    const raw = this.key.meta.id2label;
    if (raw === undefined) return undefined;
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === "string")) {
      throw new EEKeyError("corrupt", `key for ${this.encDir}: meta "id2label" is not a list of strings`);
    }
    return parsed;
  }
}

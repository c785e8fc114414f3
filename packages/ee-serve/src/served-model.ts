/**
 * What the server knows of the model it serves: the engine's shape facts, plus what the folder's own
 * `config.json` and `ee.json` say in public (label names, EOS ids, scheme, key fingerprint). Nothing
 * here is secret: an encrypted folder's config carries generic label names and permuted EOS ids.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Engine } from "ee-models";

/** The public part of an encrypted folder's `ee.json`, served on `/v1/models` so a client can check its key. */
export interface PublicManifest {
  /** Encryption scheme, e.g. `"full"`. */
  readonly scheme: string;
  /** Architecture the key was made for, e.g. `"llama"`. */
  readonly architecture: string;
  /** SHA-256 fingerprint of the key (hex): identifies the key, reveals nothing of it. */
  readonly keyFingerprint: string;
}

/** The model being served. */
export interface ServedModel {
  /** Model id on the wire (`model` field; default the folder's name). */
  readonly id: string;
  /** The folder (absolute path). */
  readonly dir: string;
  /** What it does. */
  readonly task: "classify" | "generate";
  /** Vocabulary size (tokens): prompt ids must be below it. */
  readonly vocabSize: number;
  /** Classifier labels, index = class id (generic names for an encrypted folder); [] for an LM. */
  readonly labels: readonly string[];
  /** Longest sequence, prompt plus new tokens (tokens). */
  readonly maxPositions: number;
  /** The folder's `eos_token_id`s (token ids, in the folder's id space); stops unless `ignore_eos`. */
  readonly eosTokenIds: readonly number[];
  /** `ee.json`'s public fields when the folder is encrypted, else null. */
  readonly ee: PublicManifest | null;
  /** When the server started (Unix seconds), for `created`. */
  readonly createdSec: number;
}

function readJson(path: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

function intList(v: unknown): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => Number.isInteger(x));
}

/** Labels from `id2label` (`{"0": "NEGATIVE", …}` or a list), in class-id order. */
function labelsOf(cfg: Record<string, unknown>, numLabels: number): string[] {
  const raw = cfg.id2label;
  const out = Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  if (Array.isArray(raw)) {
    for (let i = 0; i < Math.min(raw.length, numLabels); i++) out[i] = String(raw[i]);
  } else if (raw && typeof raw === "object")
    for (const [k, l] of Object.entries(raw)) if (Number(k) < numLabels) out[Number(k)] = String(l);
  return out;
}

function publicManifest(dir: string): PublicManifest | null {
  const path = join(dir, "ee.json");
  if (!existsSync(path)) return null;
  const m = readJson(path);
  const str = (k: string) => {
    if (typeof m[k] !== "string") throw new Error(`${path}: field ${k} must be a string`);
    return m[k] as string;
  };
  return { scheme: str("scheme"), architecture: str("architecture"), keyFingerprint: str("keyFingerprint") };
}

function configVocab(cfg: Record<string, unknown>, dir: string): number {
  const v = cfg.vocab_size;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new Error(`${join(dir, "config.json")}: vocab_size must be a positive integer`);
  return v;
}

/** Describe `engine` opened on `folder`; `id` names it on the wire (default: the folder's name). */
export function describeServedModel(folder: string, engine: Engine, id?: string): ServedModel {
  const dir = resolve(folder);
  const cfg = readJson(join(dir, "config.json"));
  const generate = engine.task === "generate";
  return {
    id: id ?? basename(dir),
    dir,
    task: engine.task,
    vocabSize: generate ? engine.outputSize : configVocab(cfg, dir),
    labels: generate ? [] : labelsOf(cfg, engine.outputSize),
    maxPositions: engine.maxPositions,
    eosTokenIds: generate ? intList(cfg.eos_token_id) : [],
    ee: publicManifest(dir),
    createdSec: Math.floor(Date.now() / 1000),
  };
}

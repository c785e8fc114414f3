/**
 * The encrypters, one per architecture, in a table: adding an architecture is one row here.
 */
import type { EEKey, RandomSource, StateDict } from "ee-core";
import type { LlamaConfig } from "../llama/config.js";
import type { ArchName, BertConfig, ModelConfig } from "../types.js";
import { applyBertKey, makeBertKey } from "./bert.js";
import { applyLlamaKey, makeLlamaKey } from "./llama.js";
import type { ApplyRulesOptions } from "./rules.js";
import { getScheme, type Scheme } from "./schemes.js";

/** How one architecture is encrypted. */
export interface Encrypter {
  /** Architecture registry key. */
  arch: ArchName;
  /** Draw a fresh key for `cfg` under `scheme` from `rng`. */
  makeKey(cfg: ModelConfig, scheme: Scheme, rng: RandomSource): EEKey;
  /** Encrypt config and weights with `key` (its scheme decides which transforms apply). */
  applyKey(
    cfg: ModelConfig,
    weights: StateDict,
    key: EEKey,
    opts: ApplyRulesOptions,
  ): Promise<{ cfg: ModelConfig; weights: StateDict }>;
}

const bertLike = (arch: "bert" | "roberta"): Encrypter => ({
  arch,
  makeKey: (cfg, scheme, rng) => makeBertKey(cfg as BertConfig, scheme, rng),
  applyKey: (cfg, weights, key, opts) =>
    applyBertKey(cfg as BertConfig, weights, key, getScheme(key.scheme).hidden, opts),
});

/** The registry. */
export const ENCRYPTERS: Readonly<Record<ArchName, Encrypter>> = {
  bert: bertLike("bert"),
  roberta: bertLike("roberta"),
  llama: {
    arch: "llama",
    makeKey: (cfg, scheme, rng) => makeLlamaKey(cfg as LlamaConfig, scheme, rng),
    applyKey: (cfg, weights, key, opts) =>
      applyLlamaKey(cfg as LlamaConfig, weights, key, getScheme(key.scheme).hidden, opts),
  },
};

/** The encrypter of `arch`, or an Error listing the known architectures. */
export function getEncrypter(arch: string): Encrypter {
  const e = (ENCRYPTERS as Record<string, Encrypter | undefined>)[arch];
  if (e === undefined)
    throw new Error(`no encrypter for architecture '${arch}'; known: ${Object.keys(ENCRYPTERS).join(", ")}`);
  return e;
}

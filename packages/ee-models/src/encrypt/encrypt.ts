/**
 * `encryptWeights`: plain config + weights → encrypted config + weights + the key (docs/design.md §4).
 */
import type { EEKey, RandomSource, StateDict } from "ee-core";
import type { ModelConfig } from "../types.js";
import {
  addHomophones,
  expandTokenTables,
  type HomophoneOptions,
  homophoneTable,
  homophonicConfig,
  withoutVocabulary,
} from "./homophones.js";
import { getEncrypter } from "./registry.js";
import { addTokenRowNoise } from "./row-noise.js";
import { DEFAULT_SCHEME, getScheme, type Scheme } from "./schemes.js";

/** Options of `encryptWeights`. */
export interface EncryptWeightsOptions {
  /** Registered scheme name (`"vocab"`, `"full"`); default `"full"`. */
  scheme?: string;
  /** Source of the key's secrets: ee-core `createRandom()` (CSPRNG) unless reproducibility is wanted. */
  rng: RandomSource;
  /**
   * Delete each plain tensor from `weights` once encrypted, so peak memory stays near one copy; the
   * encrypter may also reuse (overwrite) those tensors' arrays.
   */
  consumeInput?: boolean;
  /** Progress: (tensors done, tensors in all, tensor name). */
  onProgress?: (done: number, total: number, name: string) => void;
  /** Scheme `homophonic` only (required there): the token counts and the budget of extra ids. */
  homophones?: HomophoneOptions;
}

/** What `encryptWeights` returns. */
export interface EncryptedWeights<C extends ModelConfig = ModelConfig> {
  /** The encrypted model's config (special token ids encrypted; Llama `full`: untied head). */
  cfg: C;
  /** Encrypted weights, same names and shapes as the plain ones (plus `lm_head.weight` when a tied Llama head is split). */
  weights: StateDict;
  /** The secret key (keep it client side; save with ee-core `saveKey`). */
  key: EEKey;
}

/** Draw a key for `cfg` and encrypt `weights` with it. */
export async function encryptWeights<C extends ModelConfig>(
  cfg: C,
  weights: StateDict,
  opts: EncryptWeightsOptions,
): Promise<EncryptedWeights<C>> {
  const scheme = getScheme(opts.scheme ?? DEFAULT_SCHEME);
  const key = makeSchemeKey(cfg, scheme, opts.rng, opts.homophones);
  const out = await applyKey(cfg, weights, key, opts);
  return { cfg: out.cfg, weights: out.weights, key };
}

/**
 * Draw a key for `cfg` under `scheme`: the architecture's secrets, and for a homophonic scheme the
 * copy counts and the permutation of the V' encrypted ids (`homophones` required there).
 */
export function makeSchemeKey(
  cfg: ModelConfig,
  scheme: Scheme,
  rng: RandomSource,
  homophones?: HomophoneOptions,
): EEKey {
  const key = getEncrypter(cfg.modelType).makeKey(cfg, scheme, rng);
  if (scheme.homophonic) {
    if (homophones === undefined)
      throw new Error(
        `scheme ${scheme.name} needs token counts to size the homophones (CLI: --homophones-from FILE)`,
      );
    addHomophones(key, cfg, homophones, rng);
  } else if (homophones !== undefined) {
    throw new Error(`scheme ${scheme.name} has no homophones; token counts apply to scheme homophonic only`);
  }
  return key;
}

/** Encrypt `weights` with an existing `key` (made for the same architecture and sizes). */
export async function applyKey<C extends ModelConfig>(
  cfg: C,
  weights: StateDict,
  key: EEKey,
  opts: Pick<EncryptWeightsOptions, "consumeInput" | "onProgress"> = {},
): Promise<{ cfg: C; weights: StateDict }> {
  if (key.architecture !== cfg.modelType) {
    throw new Error(`key is for architecture '${key.architecture}', the model is '${cfg.modelType}'`);
  }
  const enc = getEncrypter(cfg.modelType);
  const table = homophoneTable(key, cfg.vocabSize);
  if (table !== null) {
    // homophonic: every transform but π on V rows in plain order, then each token row to all its ids
    const out = await enc.applyKey(cfg, weights, withoutVocabulary(key), {
      consumeInput: opts.consumeInput,
      onProgress: opts.onProgress,
      label: `${cfg.modelType}/${key.scheme}`,
    });
    expandTokenTables(cfg.modelType, out.weights, table);
    return { cfg: homophonicConfig(out.cfg as C, table), weights: out.weights };
  }
  const out = await enc.applyKey(cfg, weights, key, {
    consumeInput: opts.consumeInput,
    onProgress: opts.onProgress,
    label: `${cfg.modelType}/${key.scheme}`,
  });
  addTokenRowNoise(cfg.modelType, cfg.vocabSize, out.weights, key);
  return { cfg: out.cfg as C, weights: out.weights };
}

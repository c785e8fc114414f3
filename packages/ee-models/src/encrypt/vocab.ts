/**
 * The vocabulary part shared by every architecture (docs/design.md §4.1): a secret permutation π of the
 * token ids `0..V-1`, special tokens included.
 */
import { identityPermutation, type Permutation, type RandomSource, randomPermutation } from "ee-core";
import type { Scheme } from "./schemes.js";

/** Key component name of π `[V]`. */
export const VOCAB_PERM = "vocab.perm";

/** config.json keys holding token ids that the graph or the generation loop reads. */
const SPECIAL_ID_KEYS = [
  "pad_token_id",
  "bos_token_id",
  "eos_token_id",
  "sep_token_id",
  "cls_token_id",
  "decoder_start_token_id",
];

/** The special token ids a config.json object names (numbers or lists of numbers under the keys above). */
export function specialIdsOf(raw: Record<string, unknown>): number[] {
  const ids: number[] = [];
  for (const key of SPECIAL_ID_KEYS) {
    const v = raw[key];
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === "number" && Number.isInteger(x)) ids.push(x);
  }
  return ids;
}

/**
 * A copy of a config.json object whose special token ids (a number or a list of numbers) are replaced
 * by their encrypted ids `π(id)`; `null` π returns an unchanged copy.
 */
export function encryptSpecialIds(
  raw: Record<string, unknown>,
  vocab: Permutation | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (vocab === null) return out;
  const move = (v: unknown, key: string): unknown => {
    if (typeof v !== "number") return v;
    if (!Number.isInteger(v) || v < 0 || v >= vocab.length) {
      throw new Error(`config.json: field ${key} = ${v} is not a token id below ${vocab.length}`);
    }
    return vocab[v];
  };
  for (const key of SPECIAL_ID_KEYS) {
    const v = out[key];
    if (Array.isArray(v)) out[key] = v.map((x) => move(x, key));
    else if (v !== undefined && v !== null) out[key] = move(v, key);
  }
  return out;
}

/**
 * A uniformly random permutation of `0..V-1` that leaves every id in `fixed` where it is (uniform over
 * such permutations). RoBERTa needs `π(pad) = pad`: its graph compares ids with `pad_token_id` AND uses
 * that same number as the position offset, so the pad id cannot be renamed.
 */
export function vocabPermutation(V: number, rng: RandomSource, fixed: readonly number[] = []): Permutation {
  const isFixed = new Uint8Array(V);
  for (const id of fixed) {
    if (!Number.isInteger(id) || id < 0 || id >= V)
      throw new Error(`vocabPermutation: fixed id ${id} is outside 0..${V - 1}`);
    isFixed[id] = 1;
  }
  const movable: number[] = [];
  for (let t = 0; t < V; t++) if (!isFixed[t]) movable.push(t);
  const inner = randomPermutation(movable.length, rng);
  const perm = new Int32Array(V);
  for (let t = 0; t < V; t++) perm[t] = t;
  movable.forEach((t, i) => {
    perm[t] = movable[inner[i]];
  });
  return perm;
}

/** The scheme's vocabulary permutation: random (keeping `fixed` ids in place), or the identity for a control scheme. */
export function drawVocabPermutation(
  scheme: Scheme,
  V: number,
  rng: RandomSource,
  fixed: readonly number[] = [],
): Permutation {
  return scheme.identity ? identityPermutation(V) : vocabPermutation(V, rng, fixed);
}

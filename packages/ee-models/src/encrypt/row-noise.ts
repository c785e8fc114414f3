/**
 * AloePri-style row noise (a scheme beyond exact, docs/design.md §2 and §13): after the exact transforms,
 * every row of the token tables — the embedding and, for a decoder, the LM head — gets independent
 * Gaussian noise of standard deviation `rel · rms(row)`. The noise is isotropic, so adding it in the
 * encrypted basis equals adding it in the plain one. Decryption stays the plain π; the noise costs
 * fidelity and blurs every invariant an attacker matches on (row norms, sorted values, Gram entries,
 * next-token distributions).
 *
 * The noise level is public (key meta `rowNoise.rel`); the noise itself is drawn from a stream seeded
 * by a hash of the key's secret vocabulary permutation, so re-applying the same key gives the same
 * weights and nothing about the noise leaves the key.
 */
import { createHash } from "node:crypto";
import { createRandom, type EEKey, type StateDict } from "ee-core";
import { ENCODER_VARIANTS } from "../bert/variant.js";
import { LLAMA_EMBED, LLAMA_LM_HEAD } from "../llama/weights.js";
import { keyPermutation } from "./key-parts.js";
import { VOCAB_PERM } from "./vocab.js";

/** Key meta field holding the relative noise level (dimensionless, a decimal string). */
export const ROW_NOISE_META = "rowNoise.rel";

/** Token tables per architecture (tensor names, `[V, d]`). */
export const TOKEN_TABLES: Readonly<Record<string, readonly string[]>> = {
  bert: [`${ENCODER_VARIANTS.bert.prefix}.embeddings.word_embeddings.weight`],
  roberta: [`${ENCODER_VARIANTS.roberta.prefix}.embeddings.word_embeddings.weight`],
  llama: [LLAMA_EMBED, LLAMA_LM_HEAD],
};

/** The relative row-noise level of a key (0 when the key has none). */
export function rowNoiseLevel(key: EEKey): number {
  const v = key.meta[ROW_NOISE_META];
  if (v === undefined) return 0;
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0)
    throw new Error(`key meta ${ROW_NOISE_META} must be a number ≥ 0, got "${v}"`);
  return x;
}

/** Add the key's row noise to the token tables of `weights` in place (no-op at level 0). */
export function addTokenRowNoise(arch: string, vocabSize: number, weights: StateDict, key: EEKey): void {
  const rel = rowNoiseLevel(key);
  if (rel === 0) return;
  const names = TOKEN_TABLES[arch];
  if (!names) throw new Error(`row noise: no token tables known for architecture ${arch}`);
  const perm = keyPermutation(key, VOCAB_PERM, [vocabSize]);
  const seed = createHash("sha256")
    .update("ee row noise v1")
    .update(Buffer.from(perm.buffer, perm.byteOffset, perm.byteLength))
    .digest("hex");
  const rng = createRandom({ seed });
  for (const name of names) {
    const t = weights.get(name);
    if (t === undefined) continue; // a tied head has no table of its own
    if (!(t.data instanceof Float32Array) || t.shape.length !== 2)
      throw new Error(`row noise: ${name} must be a 2-D float32 tensor`);
    const [rows, d] = t.shape;
    const data = t.data;
    const eps = new Float32Array(d);
    const r = rng.derive(name);
    for (let i = 0; i < rows; i++) {
      const row = data.subarray(i * d, (i + 1) * d);
      let ss = 0;
      for (let c = 0; c < d; c++) ss += row[c] * row[c];
      r.fillGaussian(eps, rel * Math.sqrt(ss / d));
      for (let c = 0; c < d; c++) row[c] += eps[c];
    }
  }
}

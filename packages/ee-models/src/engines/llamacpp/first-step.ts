/**
 * llama.cpp's first-step output as logits. node-llama-cpp returns next-token probabilities (the softmax
 * of the model's logits at temperature 1, no top-k/top-p/min-p cut), not raw logits; their logarithms
 * are the logits up to one additive constant per step, which no fidelity measure sees (softmax and
 * argmax are shift-invariant). A probability that underflowed float32 (or a token left out of the
 * map) gets `LOGPROB_FLOOR`, the log of the smallest positive float32.
 */

/** log(2^-149), the log of the smallest positive float32 (nats). */
export const LOGPROB_FLOOR = Math.log(2 ** -149);

/** The sampling options that make node-llama-cpp report the untouched softmax. */
export const FULL_SOFTMAX = { temperature: 1, topK: 0, topP: 1, minP: 0 } as const;

/** Log-probabilities `[V]` (nats) from node-llama-cpp's probability map. */
export function logprobsFromMap(probs: ReadonlyMap<number, number>, vocabSize: number): Float32Array {
  const out = new Float32Array(vocabSize).fill(LOGPROB_FLOOR);
  for (const [id, p] of probs) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new Error(
        `llamacpp engine: probability for token ${id} outside the vocabulary 0..${vocabSize - 1}`,
      );
    if (p > 0) out[id] = Math.log(p);
  }
  return out;
}

/** Index of the largest value; ties go to the lowest index. */
export function argmaxLowest(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/**
 * The hill climb's loss under the trigram model: the log-likelihood of the decrypted observed traffic,
 *
 *   S₃(σ) = Σ_{(i,j,k)} C_obs(i, j, k) · log P₃(σ(k) | σ(i), σ(j)),
 *
 * over the distinct observed encrypted trigrams (within documents). `swapDelta` touches only the
 * trigrams that contain one of the two exchanged symbols (each symbol's incidence list).
 */
import type { TokenCorpus } from "../types.js";
import type { AssignmentScorer } from "./assignment-score.js";
import { type TrigramModel, trigramLogP } from "./trigram-model.js";
import { TripleCounts } from "./triple-counts.js";

/** Distinct observed trigrams and, per symbol, the trigrams it occurs in. */
export interface ObservedTrigrams {
  /** First id of each distinct trigram. */
  first: Int32Array;
  /** Second id. */
  second: Int32Array;
  /** Third id. */
  third: Int32Array;
  /** Occurrences of each distinct trigram. */
  count: Float64Array;
  /** `V + 1` offsets into `incident`: trigrams of symbol `e` are `incident[start[e] .. start[e+1])`. */
  start: Int32Array;
  /** Trigram indices, each listed once per distinct symbol it contains. */
  incident: Int32Array;
}

/** Collect the distinct trigrams of `observed` (encrypted ids). */
export function observedTrigrams(observed: TokenCorpus, vocabSize: number): ObservedTrigrams {
  const triples = new TripleCounts(vocabSize, 1 << 12);
  for (const doc of observed.docs)
    for (let i = 2; i < doc.length; i++) triples.add(doc[i - 2], doc[i - 1], doc[i]);
  const n = triples.size;
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  const third = new Int32Array(n);
  const count = new Float64Array(n);
  let k = 0;
  triples.forEach((a, b, c, w) => {
    first[k] = a;
    second[k] = b;
    third[k] = c;
    count[k] = w;
    k++;
  });
  const start = new Int32Array(vocabSize + 1);
  const each = (fn: (sym: number, k: number) => void) => {
    for (let t = 0; t < n; t++) {
      const a = first[t];
      const b = second[t];
      const c = third[t];
      fn(a, t);
      if (b !== a) fn(b, t);
      if (c !== a && c !== b) fn(c, t);
    }
  };
  each((s) => {
    start[s + 1]++;
  });
  for (let e = 0; e < vocabSize; e++) start[e + 1] += start[e];
  const fill = start.slice(0, vocabSize);
  const incident = new Int32Array(start[vocabSize]);
  each((s, t) => {
    incident[fill[s]++] = t;
  });
  return { first, second, third, count, start, incident };
}

/** Observed trigram `t`'s term of S₃ under the decryption `d` (nats). */
export function trigramTerm(
  model: TrigramModel,
  obs: ObservedTrigrams,
  d: (x: number) => number,
  t: number,
): number {
  return obs.count[t] * trigramLogP(model, d(obs.first[t]), d(obs.second[t]), d(obs.third[t]));
}

/** The trigram loss S₃ as a hill-climb scorer. */
export function trigramScorer(model: TrigramModel, obs: ObservedTrigrams): AssignmentScorer {
  const term = (d: (x: number) => number, t: number): number => trigramTerm(model, obs, d, t);
  return {
    logLikelihood(decrypt) {
      let s = 0;
      for (let t = 0; t < obs.count.length; t++) s += term((x) => decrypt[x], t);
      return s;
    },
    swapDelta(decrypt, a, z) {
      const pa = decrypt[a];
      const pz = decrypt[z];
      const before = (x: number): number => decrypt[x];
      const after = (x: number): number => (x === a ? pz : x === z ? pa : decrypt[x]);
      let delta = 0;
      for (let k = obs.start[a]; k < obs.start[a + 1]; k++) {
        const t = obs.incident[k];
        delta += term(after, t) - term(before, t);
      }
      for (let k = obs.start[z]; k < obs.start[z + 1]; k++) {
        const t = obs.incident[k];
        if (obs.first[t] === a || obs.second[t] === a || obs.third[t] === a) continue; // counted above
        delta += term(after, t) - term(before, t);
      }
      return delta;
    },
  };
}

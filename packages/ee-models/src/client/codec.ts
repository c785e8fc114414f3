/**
 * The client's side of the protocol (docs/design.md §4.1), pure functions of the key:
 * ids' = π(ids); logits[t] = logits'[π(t)] (a gather over the last axis); ids = π⁻¹(ids');
 * class logits[l] = logits'[λ(l)] when the classifier's labels are permuted.
 * Homophonic keys (`encrypt/homophones.ts`): each occurrence of token t is sent as one of its k_t
 * encrypted ids, drawn at random; logits rows have V' entries and `logits[t]` is read from copy 0 of
 * t (all copies have identical logits); an encrypted id decrypts to the token that owns it.
 */
import { createRandom, type EEKey, invertPermutation, type Permutation, type RandomSource } from "ee-core";
import { BERT_KEY } from "../encrypt/bert.js";
import { HOMOPHONE_COUNTS, type HomophoneTable, homophoneTable } from "../encrypt/homophones.js";
import { VOCAB_PERM } from "../encrypt/vocab.js";

/** Token ids in any of the forms the runners use. */
export type TokenIds = number[] | Int32Array | BigInt64Array;

function permutationOf(key: EEKey, name: string): Permutation | null {
  const c = key.components.get(name);
  if (c === undefined) return null;
  if (c.kind !== "permutation" || !(c.tensor.data instanceof Int32Array) || c.tensor.shape.length !== 1) {
    throw new Error(`key component '${name}' must be a 1-D int32 permutation`);
  }
  return c.tensor.data;
}

/** Options of `EECodec`. */
export interface EECodecOptions {
  /** Draws the homophone of each occurrence (homophonic keys); default ee-core `createRandom()` (CSPRNG). */
  rng?: RandomSource;
}

/** Encrypts ids and decrypts ids and logits with one key. */
export class EECodec {
  /** Vocabulary size V (tokens). */
  readonly vocabSize: number;
  /** Encrypted vocabulary size V' (ids): V, or more under a homophonic key. */
  readonly encryptedVocabSize: number;
  /** Number of classifier labels whose order is secret (labels), 0 when labels are not permuted. */
  readonly numSecretLabels: number;
  /** Encrypted id of (copy 0 of) each token `[V]`: π. */
  private readonly pi: Permutation;
  /** Plain token of each encrypted id `[V']`: π⁻¹. */
  private readonly piInv: Permutation;
  private readonly homophones: HomophoneTable | null;
  private readonly rng: RandomSource | null;
  private readonly labels: Permutation | null;

  constructor(key: EEKey, opts: EECodecOptions = {}) {
    const pi = permutationOf(key, VOCAB_PERM);
    if (pi === null)
      throw new Error(`key (${key.architecture}/${key.scheme}) has no '${VOCAB_PERM}' component`);
    const counts = key.components.get(HOMOPHONE_COUNTS);
    this.homophones = counts === undefined ? null : homophoneTable(key, counts.tensor.shape[0]);
    if (this.homophones !== null) {
      this.pi = this.homophones.first;
      this.piInv = this.homophones.plainOf;
      this.rng = opts.rng ?? createRandom();
    } else {
      this.pi = pi;
      this.piInv = invertPermutation(pi);
      this.rng = null;
    }
    this.vocabSize = this.pi.length;
    this.encryptedVocabSize = this.piInv.length;
    this.labels = permutationOf(key, BERT_KEY.labelPerm);
    this.numSecretLabels = this.labels?.length ?? 0;
  }

  private check(id: number, where: string, size = this.vocabSize): number {
    if (!Number.isInteger(id) || id < 0 || id >= size) {
      throw new Error(`${where}: token id ${id} is outside the vocabulary 0..${size - 1}`);
    }
    return id;
  }

  /** π(id); under a homophonic key one of the token's encrypted ids, drawn uniformly. */
  encryptId(id: number): number {
    const t = this.check(id, "encryptId");
    const h = this.homophones;
    if (h === null || h.counts[t] === 1) return this.pi[t];
    return h.encryptedId(t, Math.floor((this.rng as RandomSource).float() * h.counts[t]));
  }

  /** π⁻¹(id'). */
  decryptId(id: number): number {
    return this.piInv[this.check(id, "decryptId", this.encryptedVocabSize)];
  }

  /** `encryptId` applied to every id (a fresh draw per occurrence); same container type as the input. */
  encryptIds<T extends TokenIds>(ids: T): T {
    return this.mapIds(ids, (id) => this.encryptId(id));
  }

  /** π⁻¹ applied to every id; same container type as the input. */
  decryptIds<T extends TokenIds>(ids: T): T {
    return this.mapIds(ids, (id) => this.decryptId(id));
  }

  private mapIds<T extends TokenIds>(ids: T, f: (id: number) => number): T {
    if (ids instanceof BigInt64Array) {
      const out = new BigInt64Array(ids.length);
      for (let i = 0; i < ids.length; i++) out[i] = BigInt(f(Number(ids[i])));
      return out as T;
    }
    if (ids instanceof Int32Array) return ids.map(f) as T;
    return (ids as number[]).map(f) as T;
  }

  /**
   * Plain logits from encrypted ones: each row of V' (last axis) gathered into a row of V,
   * `out[t] = in[π(t)]` (homophonic: π(t) is copy 0 of t; its copies hold the same logit).
   */
  decryptLogits(logits: Float32Array): Float32Array {
    const V = this.vocabSize;
    const Vp = this.encryptedVocabSize;
    if (logits.length % Vp !== 0)
      throw new Error(`decryptLogits: ${logits.length} values are not rows of V = ${Vp}`);
    const out = new Float32Array((logits.length / Vp) * V);
    for (let r = 0, o = 0; r < logits.length; r += Vp, o += V) {
      for (let t = 0; t < V; t++) out[o + t] = logits[r + this.pi[t]];
    }
    return out;
  }

  /**
   * A first step's top-k list (encrypted ids, descending log-probabilities) in plain ids. Under a
   * homophonic key the copies of a token hold the same logit, so a server's top-k lists a token once
   * per copy: only its first (highest-ranked) entry is kept. The log-probabilities stay the server's,
   * normalised over V' ids — a token with k copies counted k times — so under a homophonic key they
   * are not the plain model's (the ids are; docs/design.md §4.1).
   */
  decryptTopK(ids: Int32Array, logprobs: Float32Array): { ids: Int32Array; logprobs: Float32Array } {
    if (ids.length !== logprobs.length)
      throw new Error(`decryptTopK: ${ids.length} ids but ${logprobs.length} log-probabilities`);
    const plain = this.decryptIds(ids);
    if (this.homophones === null) return { ids: plain, logprobs: Float32Array.from(logprobs) };
    const seen = new Set<number>();
    const keep: number[] = [];
    for (let i = 0; i < plain.length; i++) {
      if (seen.has(plain[i])) continue;
      seen.add(plain[i]);
      keep.push(i);
    }
    return {
      ids: Int32Array.from(keep, (i) => plain[i]),
      logprobs: Float32Array.from(keep, (i) => logprobs[i]),
    };
  }

  /** Plain class logits `[B, L]` from encrypted ones: `out[l] = in[λ(l)]` (identity without a label key). */
  decryptClassLogits(logits: Float32Array, numLabels: number): Float32Array {
    if (logits.length % numLabels !== 0)
      throw new Error(`decryptClassLogits: ${logits.length} values are not rows of ${numLabels} labels`);
    const lam = this.labels;
    if (lam === null) return Float32Array.from(logits);
    if (lam.length !== numLabels)
      throw new Error(`decryptClassLogits: key permutes ${lam.length} labels, the model has ${numLabels}`);
    const out = new Float32Array(logits.length);
    for (let r = 0; r < logits.length; r += numLabels) {
      for (let l = 0; l < numLabels; l++) out[r + l] = logits[r + lam[l]];
    }
    return out;
  }
}

/**
 * The client's side of the protocol (DESIGN.md §4.1), pure functions of the key:
 * ids' = π(ids); logits[t] = logits'[π(t)] (a gather over the last axis); ids = π⁻¹(ids');
 * class logits[l] = logits'[λ(l)] when the classifier's labels are permuted.
 */
import { type EEKey, invertPermutation, type Permutation } from "ee-core";
import { BERT_KEY } from "../encrypt/bert.js";
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

/** Encrypts ids and decrypts ids and logits with one key. */
export class EECodec {
  /** Vocabulary size V (tokens). */
  readonly vocabSize: number;
  /** Number of classifier labels whose order is secret (labels), 0 when labels are not permuted. */
  readonly numSecretLabels: number;
  private readonly pi: Permutation;
  private readonly piInv: Permutation;
  private readonly labels: Permutation | null;

  constructor(key: EEKey) {
    const pi = permutationOf(key, VOCAB_PERM);
    if (pi === null)
      throw new Error(`key (${key.architecture}/${key.scheme}) has no '${VOCAB_PERM}' component`);
    this.pi = pi;
    this.piInv = invertPermutation(pi);
    this.vocabSize = pi.length;
    this.labels = permutationOf(key, BERT_KEY.labelPerm);
    this.numSecretLabels = this.labels?.length ?? 0;
  }

  private check(id: number, where: string): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new Error(`${where}: token id ${id} is outside the vocabulary 0..${this.vocabSize - 1}`);
    }
    return id;
  }

  /** π(id). */
  encryptId(id: number): number {
    return this.pi[this.check(id, "encryptId")];
  }

  /** π⁻¹(id'). */
  decryptId(id: number): number {
    return this.piInv[this.check(id, "decryptId")];
  }

  /** π applied to every id; same container type as the input. */
  encryptIds<T extends TokenIds>(ids: T): T {
    return this.mapIds(ids, this.pi, "encryptIds");
  }

  /** π⁻¹ applied to every id; same container type as the input. */
  decryptIds<T extends TokenIds>(ids: T): T {
    return this.mapIds(ids, this.piInv, "decryptIds");
  }

  private mapIds<T extends TokenIds>(ids: T, p: Permutation, where: string): T {
    if (ids instanceof BigInt64Array) {
      const out = new BigInt64Array(ids.length);
      for (let i = 0; i < ids.length; i++) out[i] = BigInt(p[this.check(Number(ids[i]), where)]);
      return out as T;
    }
    if (ids instanceof Int32Array) return ids.map((id) => p[this.check(id, where)]) as T;
    return (ids as number[]).map((id) => p[this.check(id, where)]) as T;
  }

  /** Plain logits from encrypted ones: each row of V (last axis) gathered, `out[t] = in[π(t)]`. */
  decryptLogits(logits: Float32Array): Float32Array {
    const V = this.vocabSize;
    if (logits.length % V !== 0)
      throw new Error(`decryptLogits: ${logits.length} values are not rows of V = ${V}`);
    const out = new Float32Array(logits.length);
    for (let r = 0; r < logits.length; r += V) {
      for (let t = 0; t < V; t++) out[r + t] = logits[r + this.pi[t]];
    }
    return out;
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

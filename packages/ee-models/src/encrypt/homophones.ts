/**
 * Homophonic token ids (scheme `homophonic`; docs/confidentiality/homophonic.md). Under `full` every
 * occurrence of token t travels as the same id π(t), so the encrypted traffic has the plain unigram
 * distribution and a frequency-rank attack reads the frequent tokens off it. Here token t owns k_t ≥ 1
 * encrypted ids ("homophones"); the client sends each occurrence as one of them, drawn uniformly at
 * random, so an id of t occurs with frequency p_t / k_t. The k_t are chosen from token counts of a
 * corpus the client picks, so that p_t / k_t is as flat as the budget of extra ids allows.
 *
 * Layout. The expanded plain index space has V' = V + Σ_t (k_t − 1) slots: slot t (t < V) is copy 0 of
 * token t, and token t's copies 1..k_t−1 are the slots `V + off_t, …, V + off_t + k_t − 2` with
 * `off_t = Σ_{s<t} (k_s − 1)`. A secret permutation π' of `0..V'-1` (key component `vocab.perm`,
 * shape `[V']`) gives the encrypted id of every slot; the counts k (component `vocab.homophones`,
 * kind `counts`, shape `[V]`) fix the layout. Both are authenticated with the rest of the key.
 *
 * Model side. The token tables (embedding `[V, d]`, Llama LM head `[V, d]`) are transformed exactly as
 * under `full`, in plain order, and each transformed row t is then written to every encrypted id of t:
 * all copies of a token are bit-identical rows, so they have identical embeddings and identical
 * logits. The client decrypts logits by reading copy 0 of each token: exact. A server that samples
 * over V' (no LM-head bias to carry −log k_t) would draw token t with weight k_t·e^{logit}: greedy
 * decoding stays exact, sampling must be done by the client (`sampleOn: "client"`).
 *
 * What it does NOT hide: the encrypted model itself has identical rows for the copies of a token,
 * so whoever holds the weights (the server) can merge the copies, and every attack on the weights or
 * on the model's outputs (logits oracle) works as under `full`. It defeats traffic-only (ciphertext)
 * frequency analysis, nothing more.
 */
import {
  addComponent,
  type EEKey,
  type Permutation,
  type RandomSource,
  type StateDict,
  type Tensor,
} from "ee-core";
import { ENCODER_VARIANTS } from "../bert/variant.js";
import type { ModelConfig } from "../types.js";
import { TOKEN_TABLES } from "./row-noise.js";
import { encryptSpecialIds, specialIdsOf, VOCAB_PERM, vocabPermutation } from "./vocab.js";

/** Key component name of the copy counts k `[V]` (kind `counts`). */
export const HOMOPHONE_COUNTS = "vocab.homophones";

/** What the client chooses when it makes a homophonic key. */
export interface HomophoneOptions {
  /** Occurrences of each plain token in a corpus of the client's choice (tokens; length V, ≥ 0). */
  counts: ArrayLike<number>;
  /** Extra encrypted ids beyond V (ids); the encrypted vocabulary has V' = V + extraIds. */
  extraIds: number;
}

/** Default budget of extra ids: a quarter of the vocabulary (ids). */
export function defaultExtraIds(vocabSize: number): number {
  return Math.floor(vocabSize / 4);
}

/** A max-heap of token ids ordered by `prio(t)`. */
class MaxHeap {
  private readonly a: number[] = [];
  constructor(private readonly prio: (t: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(t: number): void {
    const a = this.a;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.prio(a[p]) >= this.prio(a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop() as number;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.prio(a[l]) > this.prio(a[m])) m = l;
        if (r < a.length && this.prio(a[r]) > this.prio(a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Copies per token: k_t = 1 for every t, then `extraIds` times one more copy to the token whose
 * per-copy count c_t / k_t is largest (greedy water-filling; it minimises the largest per-copy count).
 * Tokens in `single` (special ids the generation loop compares, a pad id the graph reads) and tokens
 * never counted keep one id. The whole budget is spent, so V' = V + extraIds.
 */
export function allocateHomophones(
  counts: ArrayLike<number>,
  extraIds: number,
  single: readonly number[] = [],
): Int32Array {
  const V = counts.length;
  if (!Number.isSafeInteger(extraIds) || extraIds < 0)
    throw new Error(`homophones: extra ids must be an integer ≥ 0, got ${extraIds}`);
  const c = new Float64Array(V);
  for (let t = 0; t < V; t++) {
    const x = counts[t];
    if (!(x >= 0) || !Number.isFinite(x))
      throw new Error(`homophones: count of token ${t} must be a finite number ≥ 0, got ${x}`);
    c[t] = x;
  }
  for (const t of single) if (t >= 0 && t < V) c[t] = 0;
  const k = new Int32Array(V).fill(1);
  const heap = new MaxHeap((t) => c[t] / k[t]);
  for (let t = 0; t < V; t++) if (c[t] > 0) heap.push(t);
  if (heap.size === 0) throw new Error("homophones: the token counts are all zero; give a non-empty corpus");
  for (let e = 0; e < extraIds; e++) {
    const t = heap.pop();
    k[t]++;
    heap.push(t);
  }
  return k;
}

/** The homophone layout of a key: who owns which encrypted id. */
export class HomophoneTable {
  /** Plain vocabulary size V (tokens). */
  readonly plainSize: number;
  /** Encrypted vocabulary size V' (ids). */
  readonly encryptedSize: number;
  /** k_t, copies of each token `[V]`. */
  readonly counts: Int32Array;
  /** Encrypted id of copy 0 of each token `[V]` (what decryption reads). */
  readonly first: Int32Array;
  /** Plain token of each encrypted id `[V']`. */
  readonly plainOf: Int32Array;
  private readonly pi: Permutation;
  private readonly offsets: Int32Array;

  constructor(counts: Int32Array, pi: Permutation) {
    const V = counts.length;
    this.plainSize = V;
    this.counts = counts;
    this.offsets = new Int32Array(V);
    let extra = 0;
    for (let t = 0; t < V; t++) {
      this.offsets[t] = extra;
      extra += counts[t] - 1;
    }
    this.encryptedSize = V + extra;
    if (pi.length !== this.encryptedSize)
      throw new Error(
        `key component '${VOCAB_PERM}' has ${pi.length} ids, its '${HOMOPHONE_COUNTS}' counts need V' = ${this.encryptedSize}`,
      );
    this.pi = pi;
    this.first = Int32Array.from({ length: V }, (_, t) => pi[t]);
    this.plainOf = new Int32Array(this.encryptedSize);
    for (let t = 0; t < V; t++) for (let c = 0; c < counts[t]; c++) this.plainOf[this.encryptedId(t, c)] = t;
  }

  /** Encrypted id of copy `c` (0 ≤ c < k_t) of token `t`. */
  encryptedId(t: number, c: number): number {
    return this.pi[c === 0 ? t : this.plainSize + this.offsets[t] + c - 1];
  }
}

/** The key's homophone table, or null when the key is not homophonic. */
export function homophoneTable(key: EEKey, vocabSize: number): HomophoneTable | null {
  const c = key.components.get(HOMOPHONE_COUNTS);
  if (c === undefined) return null;
  if (c.kind !== "counts" || !(c.tensor.data instanceof Int32Array) || c.tensor.shape.length !== 1)
    throw new Error(`key component '${HOMOPHONE_COUNTS}' must be 1-D int32 counts`);
  if (c.tensor.shape[0] !== vocabSize)
    throw new Error(
      `key component '${HOMOPHONE_COUNTS}' has shape [${c.tensor.shape[0]}], expected [${vocabSize}]`,
    );
  const p = key.components.get(VOCAB_PERM);
  if (p === undefined || !(p.tensor.data instanceof Int32Array))
    throw new Error(`key (${key.architecture}/${key.scheme}) has no '${VOCAB_PERM}' component`);
  return new HomophoneTable(c.tensor.data, p.tensor.data);
}

/** Token ids that must keep a single encrypted id in `cfg` (config special ids; RoBERTa's fixed pad). */
function singleIds(cfg: ModelConfig): { single: number[]; fixed: number[] } {
  const variant = (ENCODER_VARIANTS as Record<string, { positions: string } | undefined>)[cfg.modelType];
  const fixed =
    variant?.positions === "padding-offset" ? [(cfg as unknown as { padTokenId: number }).padTokenId] : [];
  return { single: [...specialIdsOf(cfg.raw), ...fixed], fixed };
}

/**
 * Make `key` (a `full` key for `cfg`) homophonic: k from `opts`, and its `vocab.perm` replaced by a
 * fresh permutation π' of the V' slots (drawn from `rng`; RoBERTa's pad stays in place).
 */
export function addHomophones(key: EEKey, cfg: ModelConfig, opts: HomophoneOptions, rng: RandomSource): void {
  const V = cfg.vocabSize;
  if (opts.counts.length !== V)
    throw new Error(`homophones: ${opts.counts.length} token counts given, the vocabulary has ${V} tokens`);
  const { single, fixed } = singleIds(cfg);
  const k = allocateHomophones(opts.counts, opts.extraIds, single);
  const Vp = V + opts.extraIds;
  key.components.delete(VOCAB_PERM);
  addComponent(key, VOCAB_PERM, "permutation", {
    dtype: "I32",
    shape: [Vp],
    data: vocabPermutation(Vp, rng.derive(`${VOCAB_PERM}/homophonic`), fixed),
  });
  addComponent(key, HOMOPHONE_COUNTS, "counts", { dtype: "I32", shape: [V], data: k });
}

/** The key without its vocabulary components: what transforms the rest of the model, rows in plain order. */
export function withoutVocabulary(key: EEKey): EEKey {
  return {
    ...key,
    components: new Map([...key.components].filter(([n]) => n !== VOCAB_PERM && n !== HOMOPHONE_COUNTS)),
  };
}

/** Rows of a `[V, d]` table written to every encrypted id of their token: `[V', d]`. */
export function expandRows(t: Tensor, table: HomophoneTable, name: string): Tensor {
  if (!(t.data instanceof Float32Array) || t.shape.length !== 2 || t.shape[0] !== table.plainSize)
    throw new Error(`homophones: ${name} must be a float32 [${table.plainSize}, d] table`);
  const d = t.shape[1];
  const out = new Float32Array(table.encryptedSize * d);
  for (let tok = 0; tok < table.plainSize; tok++) {
    const row = t.data.subarray(tok * d, (tok + 1) * d);
    for (let c = 0; c < table.counts[tok]; c++) out.set(row, table.encryptedId(tok, c) * d);
  }
  return { dtype: "F32", shape: [table.encryptedSize, d], data: out };
}

/** Expand every token table of `arch` in `weights` (in place in the map). */
export function expandTokenTables(arch: string, weights: StateDict, table: HomophoneTable): void {
  const names = TOKEN_TABLES[arch];
  if (!names) throw new Error(`homophones: no token tables known for architecture ${arch}`);
  for (const name of names) {
    const t = weights.get(name);
    if (t !== undefined) weights.set(name, expandRows(t, table, name));
  }
}

/** The encrypted config: vocabulary V', special ids moved to their (single) encrypted id. */
export function homophonicConfig<C extends ModelConfig>(cfg: C, table: HomophoneTable): C {
  const raw = encryptSpecialIds(cfg.raw, table.first);
  raw.vocab_size = table.encryptedSize;
  const out = { ...cfg, vocabSize: table.encryptedSize, raw } as unknown as Record<string, unknown>;
  const move = (id: number) => table.first[id];
  if (typeof out.padTokenId === "number") out.padTokenId = move(out.padTokenId);
  if (typeof out.bosTokenId === "number") out.bosTokenId = move(out.bosTokenId);
  if (Array.isArray(out.eosTokenIds)) out.eosTokenIds = (out.eosTokenIds as number[]).map(move);
  return out as unknown as C;
}

/**
 * Causal-LM inference over a Llama model folder: batched prefill with left padding, KV cache,
 * greedy / temperature / top-k / top-p generation, stop on eos, timings.
 *
 * Two layers, so that an EE client can sit in between:
 * - `prefill(prompts)` / `decode(tokenIds)`: raw logits of the last position of each row, the KV
 *   cache kept inside the session. Ids and logits are in whatever id space the model uses (a client
 *   encrypts ids before and decrypts logits after).
 * - `generate(prompts, opts)`: the loop on top, with a `logitsProcessor` seam before sampling.
 *   Sampling looks at logit values only, so an encrypted model generates encrypted ids as long as
 *   `eosTokenIds` are given encrypted too.
 */
import { createRandom, type RandomSource } from "ee-core";
import {
  createSession,
  type OrtSession,
  type OrtTensor,
  type OrtValueMap,
  tensorF32,
  tensorI64,
} from "../backend/ort.js";
import { readModelFolder } from "../folder.js";
import type { LlamaConfig } from "../llama/config.js";
import { LLAMA_IO } from "../llama/graph.js";
import { positionIdsFromMask } from "../llama/positions.js";
import type { SessionOptions } from "../types.js";
import { checkSamplingOptions, type SampledToken, type SamplingOptions, sampleToken } from "./sampling.js";

/** Logits of one prefill or decode call. */
export interface StepOutput {
  /** Logits of the last position of each row `[B, V]`, row-major (nats, unnormalised). */
  logits: Float32Array;
  /** Batch size B (sequences). */
  batchSize: number;
  /** Vocabulary size V (tokens). */
  vocabSize: number;
  /** The graph's full logits output `[B, T, V]` (`[B, 1, V]` for a last-token-only graph). */
  allLogits: Float32Array;
  /** Dimensions of `allLogits`. */
  allLogitsDims: number[];
  /** Wall time of the onnxruntime call (ms). */
  latencyMs: number;
}

/** Rewrites `[B, V]` logits before sampling (e.g. a client's decryption); may return the same array. */
export type LogitsProcessor = (logits: Float32Array, batchSize: number, step: number) => Float32Array;

/** Options of `generate`. */
export interface GenerateOptions extends SamplingOptions {
  /** Stop after this many new tokens per row (tokens). */
  maxNewTokens: number;
  /** Stop tokens (token ids); default the config's `eos_token_id`s. [] = never stop early. */
  eosTokenIds?: readonly number[];
  /** Token used for left padding and fed to finished rows (token id); default the first eos, else 0. */
  padTokenId?: number;
  /** Seed of the sampling stream (needed for temperature > 0 unless `rng` is given). */
  seed?: number | string;
  /** Random source for sampling (overrides `seed`). */
  rng?: RandomSource;
  /** Applied to each step's `[B, V]` logits before sampling. */
  logitsProcessor?: LogitsProcessor;
}

/** One generated sequence. */
export interface Generation {
  /** The new tokens, eos included when it was produced (token ids). */
  tokenIds: number[];
  /** Probability of the first generated token under the softmax of its logits (probability); the paper's confidence. */
  firstTokenProb: number;
  /** Logits the first token was chosen from `[V]` (after the logits processor) (nats). */
  firstTokenLogits: Float32Array;
  /** Why it stopped. */
  finishReason: "eos" | "length";
}

/** Result of `generate` over a batch. */
export interface GenerateResult {
  /** One entry per prompt, in order. */
  sequences: Generation[];
  /** Prefill plus choosing the first token (ms). */
  timeToFirstTokenMs: number;
  /** Each later token: decode call plus choosing it (ms), one entry per step. */
  perTokenMs: number[];
  /** Whole call (ms). */
  totalMs: number;
  /** Length of the padded prompt batch T (tokens). */
  promptLength: number;
}

/** Left-pads ragged prompts: ids and mask `[B, T]`. */
export function leftPadBatch(
  prompts: readonly (readonly number[])[],
  padTokenId: number,
): { ids: BigInt64Array; mask: BigInt64Array; seqLen: number } {
  if (prompts.length === 0) throw new Error("leftPadBatch: no prompts");
  const T = Math.max(...prompts.map((p) => p.length));
  if (T === 0) throw new Error("leftPadBatch: every prompt is empty");
  const ids = new BigInt64Array(prompts.length * T).fill(BigInt(padTokenId));
  const mask = new BigInt64Array(prompts.length * T);
  prompts.forEach((p, b) => {
    if (p.length === 0) throw new Error(`leftPadBatch: prompt ${b} is empty`);
    const off = b * T + (T - p.length);
    for (let t = 0; t < p.length; t++) {
      ids[off + t] = BigInt(p[t]);
      mask[off + t] = 1n;
    }
  });
  return { ids, mask, seqLen: T };
}

/** An onnxruntime session over a Llama causal-LM folder, with its KV cache. */
export class CausalLMSession {
  /** The model's configuration. */
  readonly cfg: LlamaConfig;
  /** The model folder or ONNX file it was opened from. */
  readonly source: string;
  private readonly session: OrtSession;
  private past: OrtValueMap | null = null;
  private mask: BigInt64Array = new BigInt64Array(0);
  private nextPos: number[] = [];
  private batch = 0;
  private totalLen = 0;

  private constructor(cfg: LlamaConfig, session: OrtSession, source: string) {
    this.cfg = cfg;
    this.session = session;
    this.source = source;
    for (const name of [
      LLAMA_IO.inputIds,
      LLAMA_IO.attentionMask,
      LLAMA_IO.positionIds,
      LLAMA_IO.pastKey(0),
    ]) {
      if (!session.inputNames.includes(name))
        throw new Error(
          `${source}: the ONNX graph has no input "${name}" (inputs: ${session.inputNames.join(", ")})`,
        );
    }
  }

  /** Open `dir/config.json` + `dir/onnx/model.onnx`. */
  static async open(dir: string, opts: SessionOptions = {}): Promise<CausalLMSession> {
    const folder = readModelFolder(dir);
    if (folder.arch !== "llama")
      throw new Error(
        `model folder ${folder.dir}: model_type is "${folder.arch}", expected a causal LM ("llama")`,
      );
    return CausalLMSession.fromOnnx(folder.onnxPath, folder.cfg as LlamaConfig, opts);
  }

  /** Open an ONNX file built for `cfg`. */
  static async fromOnnx(
    onnxPath: string,
    cfg: LlamaConfig,
    opts: SessionOptions = {},
  ): Promise<CausalLMSession> {
    return new CausalLMSession(cfg, await createSession(onnxPath, opts), onnxPath);
  }

  /** Batch size of the current cache (sequences). */
  get batchSize(): number {
    return this.batch;
  }

  /** Tokens in the current cache, padding included (tokens). */
  get cacheLength(): number {
    return this.totalLen;
  }

  /** Start new sequences: run the left-padded prompts, keep their cache; returns last-position logits. */
  async prefill(prompts: readonly (readonly number[])[], padTokenId = 0): Promise<StepOutput> {
    const { ids, mask, seqLen } = leftPadBatch(prompts, padTokenId);
    const B = prompts.length;
    this.checkIds(ids);
    this.past = null;
    this.batch = B;
    this.mask = mask;
    this.totalLen = seqLen;
    this.nextPos = prompts.map((p) => p.length);
    const pos = positionIdsFromMask(mask, B, seqLen, seqLen);
    return this.run(ids, pos, seqLen);
  }

  /** Append one token per row to the cached sequences; returns their logits. */
  async decode(tokenIds: readonly number[]): Promise<StepOutput> {
    if (this.batch === 0) throw new Error("CausalLMSession.decode: call prefill first");
    if (tokenIds.length !== this.batch)
      throw new Error(`CausalLMSession.decode: got ${tokenIds.length} tokens for a batch of ${this.batch}`);
    const B = this.batch;
    const S = this.totalLen + 1;
    const mask = new BigInt64Array(B * S);
    for (let b = 0; b < B; b++) {
      mask.set(this.mask.subarray(b * (S - 1), (b + 1) * (S - 1)), b * S);
      mask[b * S + S - 1] = 1n;
    }
    this.mask = mask;
    this.totalLen = S;
    const ids = BigInt64Array.from(tokenIds, (t) => BigInt(t));
    this.checkIds(ids);
    const pos = BigInt64Array.from(this.nextPos, (p) => BigInt(p));
    this.nextPos = this.nextPos.map((p) => p + 1);
    return this.run(ids, pos, 1);
  }

  private checkIds(ids: BigInt64Array): void {
    const V = BigInt(this.cfg.vocabSize);
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] < 0n || ids[i] >= V)
        throw new Error(`${this.source}: token id ${ids[i]} is outside the vocabulary [0, ${V})`);
    }
  }

  private async run(ids: BigInt64Array, pos: BigInt64Array, T: number): Promise<StepOutput> {
    const cfg = this.cfg;
    const B = this.batch;
    const feeds: Record<string, OrtTensor> = {
      [LLAMA_IO.inputIds]: tensorI64(ids, [B, T]),
      [LLAMA_IO.attentionMask]: tensorI64(this.mask, [B, this.totalLen]),
      [LLAMA_IO.positionIds]: tensorI64(pos, [B, T]),
    };
    for (let i = 0; i < cfg.numLayers; i++) {
      const empty = () => tensorF32(new Float32Array(0), [B, cfg.numKvHeads, 0, cfg.headDim]);
      feeds[LLAMA_IO.pastKey(i)] = this.past?.[LLAMA_IO.presentKey(i)] ?? empty();
      feeds[LLAMA_IO.pastValue(i)] = this.past?.[LLAMA_IO.presentValue(i)] ?? empty();
    }
    const t0 = performance.now();
    const out = await this.session.run(feeds);
    const latencyMs = performance.now() - t0;
    // the cache for the next call; drop the previous one
    const past: OrtValueMap = {};
    for (let i = 0; i < cfg.numLayers; i++) {
      past[LLAMA_IO.presentKey(i)] = out[LLAMA_IO.presentKey(i)];
      past[LLAMA_IO.presentValue(i)] = out[LLAMA_IO.presentValue(i)];
    }
    this.disposePast();
    this.past = past;
    const logitsT = out[LLAMA_IO.logits];
    const all = logitsT.data as Float32Array;
    const dims = [...logitsT.dims];
    const V = cfg.vocabSize;
    const rows = dims[1];
    const last = new Float32Array(B * V);
    for (let b = 0; b < B; b++)
      last.set(all.subarray((b * rows + rows - 1) * V, (b * rows + rows) * V), b * V);
    return { logits: last, batchSize: B, vocabSize: V, allLogits: all, allLogitsDims: dims, latencyMs };
  }

  private disposePast(): void {
    if (!this.past) return;
    for (const t of Object.values(this.past)) t.dispose();
    this.past = null;
  }

  /** Generate up to `maxNewTokens` per prompt (ragged prompts are left-padded into one batch). */
  async generate(prompts: readonly (readonly number[])[], opts: GenerateOptions): Promise<GenerateResult> {
    checkSamplingOptions(opts);
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1)
      throw new Error(`generate: maxNewTokens must be an integer >= 1, got ${opts.maxNewTokens}`);
    const eos = new Set(opts.eosTokenIds ?? this.cfg.eosTokenIds);
    const pad = opts.padTokenId ?? (opts.eosTokenIds ?? this.cfg.eosTokenIds)[0] ?? 0;
    const greedy = (opts.temperature ?? 0) === 0;
    const rng = opts.rng ?? (greedy ? undefined : createRandom({ seed: opts.seed ?? requireSeed() }));
    const B = prompts.length;
    const start = performance.now();

    /** Logits processor, then one sampled token per row; also returns the processed rows. */
    const choose = (logits: Float32Array, step: number) => {
      const processed = opts.logitsProcessor ? opts.logitsProcessor(logits, B, step) : logits;
      const V = processed.length / B;
      const rows = Array.from({ length: B }, (_, b) => processed.subarray(b * V, (b + 1) * V));
      return { picks: rows.map((row): SampledToken => sampleToken(row, opts, rng)), rows };
    };

    const pre = await this.prefill(prompts, pad);
    const promptLength = this.totalLen;
    const first = choose(pre.logits, 0);
    const timeToFirstTokenMs = performance.now() - start;
    const seqs: Generation[] = first.picks.map((p, b) => ({
      tokenIds: [p.tokenId],
      firstTokenProb: p.prob,
      firstTokenLogits: first.rows[b].slice(),
      finishReason: eos.has(p.tokenId) ? "eos" : "length",
    }));
    const done = seqs.map((s) => s.finishReason === "eos");
    const perTokenMs: number[] = [];
    for (let step = 1; step < opts.maxNewTokens && done.some((d) => !d); step++) {
      const t0 = performance.now();
      const feed = seqs.map((s, b) => (done[b] ? pad : s.tokenIds[s.tokenIds.length - 1]));
      const out = await this.decode(feed);
      const { picks } = choose(out.logits, step);
      picks.forEach((p, b) => {
        if (done[b]) return;
        seqs[b].tokenIds.push(p.tokenId);
        if (eos.has(p.tokenId)) {
          done[b] = true;
          seqs[b].finishReason = "eos";
        }
      });
      perTokenMs.push(performance.now() - t0);
    }
    return {
      sequences: seqs,
      timeToFirstTokenMs,
      perTokenMs,
      totalMs: performance.now() - start,
      promptLength,
    };
  }

  /** Release the cache and the onnxruntime session. */
  async dispose(): Promise<void> {
    this.disposePast();
    this.batch = 0;
    await this.session.release();
  }
}

function requireSeed(): never {
  throw new Error("generate: temperature > 0 needs `seed` or `rng`");
}

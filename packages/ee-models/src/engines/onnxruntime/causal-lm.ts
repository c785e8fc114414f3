/**
 * `CausalLMSession`: an onnxruntime session over a Llama folder with its KV cache — the
 * `EngineStepper` of the onnxruntime engine.
 * - `prefill(prompts)` / `decode(tokenIds)`: raw logits of the last position of each row, the KV
 *   cache kept inside the session (as onnxruntime values). Ids and logits are in whatever id space
 *   the model uses (a client encrypts ids before and decrypts logits after).
 * - `generate(prompts, opts)`: the shared loop of `runner/generate.ts` over this session.
 */

import { readModelFolder } from "../../folder.js";
import type { LlamaConfig } from "../../llama/config.js";
import { LLAMA_IO } from "../../llama/graph.js";
import { positionIdsFromMask } from "../../llama/positions.js";
import {
  type GenerateOptions,
  type GenerateResult,
  generateWithStepper,
  leftPadBatch,
} from "../../runner/generate.js";
import type { EngineStepper, IdSequences, StepOutput } from "../engine.js";
import {
  createSession,
  type OrtSession,
  type OrtTensor,
  type OrtValueMap,
  type SessionOptions,
  tensorF32,
  tensorI64,
} from "./runtime.js";

/** An onnxruntime session over a Llama causal-LM folder, with its KV cache. */
export class CausalLMSession implements EngineStepper {
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

  /** The config's stop tokens (token ids). */
  get eosTokenIds(): readonly number[] {
    return this.cfg.eosTokenIds;
  }

  /** Tokens in the current cache, padding included (tokens). */
  get cacheLength(): number {
    return this.totalLen;
  }

  /** Start new sequences: run the left-padded prompts, keep their cache; returns last-position logits. */
  async prefill(prompts: IdSequences, padTokenId = 0): Promise<StepOutput> {
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
  async generate(prompts: IdSequences, opts: GenerateOptions): Promise<GenerateResult> {
    return generateWithStepper(this, prompts, opts);
  }

  /** Release the cache and the onnxruntime session. */
  async dispose(): Promise<void> {
    this.disposePast();
    this.batch = 0;
    await this.session.release();
  }
}

/**
 * Streaming encryption into a Hugging Face checkpoint: the checkpoint is read, encrypted and written
 * one group of tensors at a time, so peak memory stays near the largest group, not the model
 * (docs/design.md §10). The groups are what the architecture's encrypter needs together:
 * - Llama: each decoder layer (its two RMSNorm gains fold into its own linears); the `[V, d]`
 *   embedding and LM head in blocks of rows (each with the final norm, whose gain a head folds): their
 *   transforms act on rows independently (`E ← E Q`, `W_lm ← W_lm diag(g) Q`) and then move row t to
 *   π(t), so each block goes through the encrypter with the key minus π, and π is applied by writing
 *   row t at row π(t) of the output (homophonic keys: at every encrypted id of t);
 * - BERT / RoBERTa (≤ 1.4 GB in F32 at their largest): the whole model as one group.
 * Every group goes through the same `applyKey` as the in-memory path with the same key, so the streamed
 * result equals the in-memory one. The output keeps each tensor's source dtype (products run in
 * float32 on values exactly widened from F16/BF16, and are rounded once, when written).
 */
import type { EEKey, Permutation, Tensor } from "ee-core";
import type { PlannedTensor } from "../checkpoint/writer.js";
import type { OpenCheckpoint } from "../checkpoint.js";
import type { LlamaConfig } from "../llama/config.js";
import { LLAMA_EMBED, LLAMA_FINAL_NORM, LLAMA_LM_HEAD } from "../llama/weights.js";
import type { Architecture, ModelConfig } from "../types.js";
import { applyKey } from "./encrypt.js";
import { homophoneTable, withoutVocabulary } from "./homophones.js";
import { hasComponent, keyPermutation } from "./key-parts.js";
import { VOCAB_PERM } from "./vocab.js";

/** Where the encrypted tensors go. */
export interface EncryptedSink {
  /** Called once, before the first tensor, with the encrypted config and every output tensor's plan. */
  begin(cfg: ModelConfig, planned: PlannedTensor[]): void;
  /** Elements `[offset, offset + data.length)` of an encrypted tensor (its planned dtype applies on write). */
  writePart(name: string, elementOffset: number, data: Float32Array): void;
}

/** Options of `streamEncrypt`. */
export interface StreamEncryptOptions {
  /** Progress: (steps done, steps in all, last tensor name). */
  onProgress?: (done: number, total: number, name: string) => void;
  /** Rows of a Llama embedding / LM-head block (rows); default 16,384 (256 MiB of F32 at d = 4096). */
  vocabBlockRows?: number;
}

function f32(t: Tensor, name: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`encrypt: tensor ${name} must hold float32 data`);
  return t.data;
}

/** Encrypt the opened checkpoint with `key` into `sink`, group by group; returns the encrypted config. */
export async function streamEncrypt<C extends ModelConfig>(
  ckpt: OpenCheckpoint,
  arch: Architecture<C>,
  cfg: C,
  key: EEKey,
  sink: EncryptedSink,
  opts: StreamEncryptOptions = {},
): Promise<C> {
  const names = [...ckpt.plan.sources.keys()];
  const begin = (cfgOut: C, split: boolean) =>
    sink.begin(
      cfgOut,
      [...arch.tensorShapes(cfgOut)].map(([name, shape]) => ({
        name,
        shape,
        dtype: ckpt.dtype(split && name === LLAMA_LM_HEAD ? LLAMA_EMBED : name),
      })),
    );
  const writeAll = (weights: Map<string, Tensor>, skip: Set<string> = new Set()) => {
    for (const [name, t] of weights) if (!skip.has(name)) sink.writePart(name, 0, f32(t, name));
  };
  if (arch.name !== "llama") {
    const enc = await applyKey(cfg, new Map(names.map((n) => [n, ckpt.read(n)])), key, {
      consumeInput: true,
    });
    begin(enc.cfg, false);
    writeAll(enc.weights);
    opts.onProgress?.(1, 1, names[names.length - 1]);
    return enc.cfg;
  }
  return (await streamLlama(
    ckpt,
    cfg as unknown as LlamaConfig,
    key,
    names,
    begin as never,
    writeAll,
    sink,
    opts,
  )) as unknown as C;
}

async function streamLlama(
  ckpt: OpenCheckpoint,
  cfg: LlamaConfig,
  key: EEKey,
  names: string[],
  begin: (cfgOut: LlamaConfig, split: boolean) => void,
  writeAll: (weights: Map<string, Tensor>, skip?: Set<string>) => void,
  sink: EncryptedSink,
  opts: StreamEncryptOptions,
): Promise<LlamaConfig> {
  const V = cfg.vocabSize;
  const d = cfg.hiddenSize;
  const blockRows = opts.vocabBlockRows ?? 16384;
  // Where plain row t goes: π(t), or every encrypted id of t under a homophonic key.
  const homophones = homophoneTable(key, V);
  const pi: Permutation | null =
    homophones === null && hasComponent(key, VOCAB_PERM) ? keyPermutation(key, VOCAB_PERM, [V]) : null;
  const keyNoPi: EEKey = withoutVocabulary(key);
  const layers = new Map<string, string[]>();
  for (const n of names) {
    const i = /^model\.layers\.(\d+)\./.exec(n)?.[1];
    if (i !== undefined) layers.set(i, [...(layers.get(i) ?? []), n]);
  }
  const untiedHead = names.includes(LLAMA_LM_HEAD);
  const blocks = Math.ceil(V / blockRows);
  const total = blocks * (untiedHead ? 2 : 1) + layers.size + 1;
  let done = 0;
  const step = (name: string) => opts.onProgress?.(++done, total, name);
  const norm = (): Tensor => ckpt.read(LLAMA_FINAL_NORM);
  const unlinked = { ...cfg, tieWordEmbeddings: false }; // groups that must not split a head off

  /** Rows `[r0, r0 + R)` of a `[V, d]` tensor through the encrypter (key minus π), rows written at π(row). */
  const vocabBlock = async (src: string, r0: number, tied: boolean): Promise<Map<string, Tensor>> => {
    const R = Math.min(blockRows, V - r0);
    const rows: Tensor = { dtype: "F32", shape: [R, d], data: ckpt.readRange(src, r0 * d, R * d) };
    const blockCfg = { ...(tied ? cfg : unlinked), vocabSize: R };
    const enc = await applyKey(
      blockCfg,
      new Map([
        [src, rows],
        [LLAMA_FINAL_NORM, norm()],
      ]),
      keyNoPi,
      {
        consumeInput: true,
      },
    );
    return enc.weights;
  };
  const scatterRows = (name: string, r0: number, t: Tensor) => {
    const data = f32(t, name);
    const R = data.length / d;
    if (homophones !== null) {
      for (let r = 0; r < R; r++)
        for (let c = 0; c < homophones.counts[r0 + r]; c++)
          sink.writePart(name, homophones.encryptedId(r0 + r, c) * d, data.subarray(r * d, (r + 1) * d));
      return;
    }
    if (pi === null) return sink.writePart(name, r0 * d, data);
    for (let r = 0; r < R; r++) sink.writePart(name, pi[r0 + r] * d, data.subarray(r * d, (r + 1) * d));
  };

  // The final norm alone gives the encrypted config (special ids through π); the first embedding
  // block shows whether the encrypter splits a tied head off.
  const probe = await applyKey(unlinked, new Map([[LLAMA_FINAL_NORM, norm()]]), key, { consumeInput: true });
  let cfgOut: LlamaConfig | undefined;
  for (let b = 0; b < blocks; b++) {
    const out = await vocabBlock(LLAMA_EMBED, b * blockRows, true);
    if (cfgOut === undefined) {
      const split = cfg.tieWordEmbeddings && out.has(LLAMA_LM_HEAD);
      const tie = cfg.tieWordEmbeddings && !split;
      cfgOut = {
        ...(probe.cfg as LlamaConfig),
        tieWordEmbeddings: tie,
        raw: { ...probe.cfg.raw, tie_word_embeddings: tie },
      };
      begin(cfgOut, split);
      writeAll(probe.weights);
    }
    scatterRows(LLAMA_EMBED, b * blockRows, out.get(LLAMA_EMBED) as Tensor);
    if (out.has(LLAMA_LM_HEAD)) scatterRows(LLAMA_LM_HEAD, b * blockRows, out.get(LLAMA_LM_HEAD) as Tensor);
    step(LLAMA_EMBED);
  }
  for (const group of layers.values()) {
    const enc = await applyKey(unlinked, new Map(group.map((n) => [n, ckpt.read(n)])), key, {
      consumeInput: true,
    });
    writeAll(enc.weights);
    step(group[group.length - 1]);
  }
  if (untiedHead) {
    for (let b = 0; b < blocks; b++) {
      const out = await vocabBlock(LLAMA_LM_HEAD, b * blockRows, false);
      scatterRows(LLAMA_LM_HEAD, b * blockRows, out.get(LLAMA_LM_HEAD) as Tensor);
      step(LLAMA_LM_HEAD);
    }
  }
  return cfgOut as LlamaConfig;
}

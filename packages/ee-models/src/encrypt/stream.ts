/**
 * Streaming encryption into a Hugging Face checkpoint: the checkpoint is read, encrypted and written
 * one group of tensors at a time, so peak memory stays near the largest group, not the model
 * (DESIGN.md §10). The groups are what the architecture's encrypter needs together:
 * - Llama: the embedding with the final norm (whose gain a tied head folds), then each decoder layer
 *   (its two RMSNorm gains are folded into its own linears), then an untied LM head with the final norm;
 * - BERT / RoBERTa (≤ 1.4 GB in F32 at their largest): the whole model as one group.
 * Every group goes through the same `applyKey` as the in-memory path, with the same key, so the
 * streamed result equals the in-memory one. The output keeps each tensor's source dtype (the products
 * run in float32 on values exactly widened from F16/BF16, and are rounded once, when written).
 */
import type { DType, EEKey, Tensor } from "ee-core";
import type { PlannedTensor } from "../checkpoint/writer.js";
import type { OpenCheckpoint } from "../checkpoint.js";
import { LLAMA_EMBED, LLAMA_FINAL_NORM, LLAMA_LM_HEAD } from "../llama/weights.js";
import type { Architecture, ModelConfig } from "../types.js";
import { applyKey } from "./encrypt.js";

/** Where the encrypted tensors go. */
export interface EncryptedSink {
  /** Called once, before the first tensor, with the encrypted config and every output tensor's plan. */
  begin(cfg: ModelConfig, planned: PlannedTensor[]): void;
  /** One encrypted tensor (its planned dtype applies on write). */
  write(name: string, t: Tensor): void;
}

/** Options of `streamEncrypt`. */
export interface StreamEncryptOptions {
  /** Progress: (groups done, groups in all, last tensor name). */
  onProgress?: (done: number, total: number, name: string) => void;
}

/** The groups of tensor names encrypted together, in order; the first holds what decides the config. */
function groups(arch: string, names: string[]): string[][] {
  if (arch !== "llama") return [names];
  const layer = (n: string) => /^model\.layers\.(\d+)\./.exec(n)?.[1];
  const out: string[][] = [[LLAMA_EMBED, LLAMA_FINAL_NORM]];
  const byLayer = new Map<string, string[]>();
  for (const n of names) {
    const i = layer(n);
    if (i === undefined) continue;
    const g = byLayer.get(i) ?? [];
    g.push(n);
    byLayer.set(i, g);
  }
  out.push(...byLayer.values());
  if (names.includes(LLAMA_LM_HEAD)) out.push([LLAMA_LM_HEAD, LLAMA_FINAL_NORM]);
  const covered = new Set(out.flat());
  const left = names.filter((n) => !covered.has(n));
  if (left.length > 0) throw new Error(`encrypt: tensors outside every group: ${left.join(", ")}`);
  return out;
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
  const plan = groups(arch.name, names);
  let cfgOut: C | undefined;
  const written = new Set<string>();
  const dtypeOf = (name: string): DType =>
    ckpt.dtype(name === LLAMA_LM_HEAD && !names.includes(name) ? LLAMA_EMBED : name);
  for (let k = 0; k < plan.length; k++) {
    const group = plan[k];
    const weights = new Map(group.map((n) => [n, ckpt.read(n)]));
    // Only the first group carries the embedding; the others must not try to split a tied head off it.
    const groupCfg = k === 0 ? cfg : ({ ...cfg, tieWordEmbeddings: false } as C);
    const enc = await applyKey(groupCfg, weights, key, { consumeInput: true });
    if (k === 0) {
      cfgOut = enc.cfg;
      sink.begin(
        cfgOut,
        [...arch.tensorShapes(cfgOut)].map(([name, shape]) => ({ name, shape, dtype: dtypeOf(name) })),
      );
    }
    for (const [name, t] of enc.weights) {
      if (written.has(name)) continue; // the final norm, met again beside an untied head
      sink.write(name, t);
      written.add(name);
      enc.weights.delete(name);
    }
    opts.onProgress?.(k + 1, plan.length, group[group.length - 1]);
  }
  return cfgOut as C;
}

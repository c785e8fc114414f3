/**
 * Input sizes `ee infer` accepts: a causal LM prompt is refused before any allocation when it does
 * not fit the model's positions or when prefill would need more memory than a bound (half of this
 * machine's memory, or `EE_INFER_MAX_GIB`), instead of being killed by the kernel.
 */
import { totalmem } from "node:os";
import type { ModelConfig } from "ee-models";

/** Bytes per GiB. */
const GIB = 1024 ** 3;

/**
 * Upper estimate of the memory prefill of `tokens` needs (bytes), float32: the all-positions logits
 * `[T, V]`, one layer's attention scores and probabilities `[H, T, T]` ×2, the layer activations
 * `[T, 4d + 3I]`, and the KV cache `2·L·T·d` held twice (past and present).
 */
export function prefillBytes(cfg: ModelConfig, tokens: number): number {
  const T = tokens;
  const logits = T * cfg.vocabSize;
  const scores = 2 * cfg.numHeads * T * T;
  const acts = T * (4 * cfg.hiddenSize + 3 * cfg.intermediateSize);
  const kv = 2 * 2 * cfg.numLayers * T * cfg.hiddenSize;
  return 4 * (logits + scores + acts + kv);
}

/** The memory bound (bytes): `EE_INFER_MAX_GIB` when set, else half of the machine's memory. */
export function inferMemoryBound(): { bytes: number; source: string } {
  const env = process.env.EE_INFER_MAX_GIB;
  if (env !== undefined) {
    const g = Number(env);
    if (!Number.isFinite(g) || g <= 0)
      throw new Error(`EE_INFER_MAX_GIB must be a positive number, got "${env}"`);
    return { bytes: g * GIB, source: "EE_INFER_MAX_GIB" };
  }
  return {
    bytes: totalmem() / 2,
    source: "half of this machine's memory; set EE_INFER_MAX_GIB to change it",
  };
}

/** Throws unless a prompt of `promptTokens` plus `newTokens` fits `cfg`'s positions and the memory bound. */
export function checkPromptSize(
  cfg: ModelConfig,
  promptTokens: number,
  newTokens: number,
  where: string,
): void {
  const total = promptTokens + newTokens;
  if (total > cfg.maxPositionEmbeddings) {
    throw new Error(
      `${where}: prompt of ${promptTokens} tokens + ${newTokens} new tokens exceeds the model's ${cfg.maxPositionEmbeddings} positions; shorten the text or lower --max-new-tokens`,
    );
  }
  const need = prefillBytes(cfg, total);
  const bound = inferMemoryBound();
  if (need > bound.bytes) {
    throw new Error(
      `${where}: prompt of ${promptTokens} tokens needs about ${(need / GIB).toFixed(1)} GiB to run (logits [T, ${cfg.vocabSize}] and attention [${cfg.numHeads}, T, T]); the bound is ${(bound.bytes / GIB).toFixed(1)} GiB (${bound.source}); shorten the text`,
    );
  }
}

/** Parses `--ids 1,2,3` into token ids, each an integer in `0..vocabSize-1`. */
export function parseIds(text: string, vocabSize: number): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) {
    throw new Error(`--ids must be comma-separated token ids like 1,2,3, got "${text}"`);
  }
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n >= vocabSize)
      throw new Error(`--ids: "${p}" is not a token id of this model (integers 0..${vocabSize - 1})`);
    return n;
  });
}

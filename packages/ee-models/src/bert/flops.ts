/**
 * Floating-point operations of one encoder-classifier forward (multiply-add = 2 FLOPs), counted
 * from the config: the MatMuls dominate; softmax, GELU and LayerNorm are left out (< 1 %).
 */
import type { BertConfig } from "../types.js";

/** FLOPs of one forward pass at batch `B`, sequence length `T` (FLOPs). */
export function encoderForwardFlops(cfg: BertConfig, T: number, B = 1): number {
  const { hiddenSize: d, intermediateSize: I, numLayers: N, numLabels: L } = cfg;
  const projections = 2 * T * d * d * 4; // Q, K, V, O
  const attention = 2 * T * T * d * 2; // QKᵀ and P·V over all heads
  const ffn = 2 * T * d * I * 2; // up and down
  const head = 2 * d * d + 2 * d * L; // pooler / dense on the first token, classifier
  return B * (N * (projections + attention + ffn) + head);
}

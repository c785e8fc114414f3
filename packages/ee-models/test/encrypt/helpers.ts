/** Fixtures of the encrypter tests: tiny models with every tensor randomised, and fidelity metrics. */
import { createRandom, type RandomSource, type StateDict } from "ee-core";
import { parseEncoderConfig } from "../../src/bert/config.js";
import { BERT_VARIANT, ROBERTA_VARIANT } from "../../src/bert/variant.js";
import { type LlamaConfig, parseLlamaConfig } from "../../src/llama/config.js";
import { llamaTiny } from "../../src/llama/presets.js";
import { getArchitecture } from "../../src/registry.js";
import type { BertConfig } from "../../src/types.js";
import { tinyEncoderJson } from "../fixtures.js";

/**
 * Make every tensor informative: HF init leaves biases 0, gains 1 and a zero pad row, which would let
 * a wrong permutation of those tensors pass unnoticed. Adds N(0, std) to every vector (biases, gains)
 * and fills all-zero matrix rows with N(0, std); matrices otherwise keep their init scale.
 */
export function randomiseAll(weights: StateDict, rng: RandomSource, std = 0.1): StateDict {
  for (const [name, t] of weights) {
    const data = t.data as Float32Array;
    const noise = rng.derive(name).fillGaussian(new Float64Array(data.length), std);
    if (t.shape.length === 1) {
      for (let i = 0; i < data.length; i++) data[i] += noise[i];
      continue;
    }
    const cols = t.shape[t.shape.length - 1];
    for (let r = 0; r < data.length / cols; r++) {
      const row = data.subarray(r * cols, (r + 1) * cols);
      if (row.every((x) => x === 0)) for (let c = 0; c < cols; c++) row[c] = noise[r * cols + c];
    }
  }
  return weights;
}

/** A tiny BERT or RoBERTa (vocab 97, d 16, 4 heads, 2 layers, 3 labels) with randomised weights. */
export function tinyEncoder(
  arch: "bert" | "roberta",
  seed: string,
  over: Record<string, unknown> = {},
): { cfg: BertConfig; weights: StateDict } {
  const variant = arch === "bert" ? BERT_VARIANT : ROBERTA_VARIANT;
  const cfg = parseEncoderConfig(variant, tinyEncoderJson(arch, over), `tiny-${arch}`);
  const weights = getArchitecture<BertConfig>(arch).syntheticWeights(cfg, createRandom({ seed }));
  return { cfg, weights: randomiseAll(weights, createRandom({ seed: `${seed}/noise` })) };
}

/** The tiny Llama preset (vocab 512, d 64, GQA 4:2, d_h 16, 2 layers) with randomised weights. */
export function tinyLlama(
  seed: string,
  over: Record<string, unknown> = {},
): { cfg: LlamaConfig; weights: StateDict } {
  const cfg = parseLlamaConfig({ ...llamaTiny.config, ...over }, "llama-tiny");
  const weights = getArchitecture<LlamaConfig>("llama").syntheticWeights(cfg, createRandom({ seed }));
  return { cfg, weights: randomiseAll(weights, createRandom({ seed: `${seed}/noise` }), 0.2) };
}

/** Softmax probability of the argmax (the confidence of paper Eq. 4) and the argmax. */
export function confidence(logits: ArrayLike<number>): { argmax: number; conf: number } {
  let argmax = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[argmax]) argmax = i;
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - logits[argmax]);
  return { argmax, conf: 1 / z };
}

/** Paper Eq. 4 over paired confidences: `1 − mean |s_EE − s_VI| / max(s_EE, s_VI)`. */
export function fidelity(vi: number[], ee: number[]): number {
  let s = 0;
  for (let i = 0; i < vi.length; i++) s += Math.abs(ee[i] - vi[i]) / Math.max(ee[i], vi[i]);
  return 1 - s / vi.length;
}

/** Collects per-sample comparisons of plain (VI) and decrypted EE logit rows. */
export class Agreement {
  /** Largest |EE − VI| over every logit seen (nats). */
  maxAbsDiff = 0;
  /** Samples compared (samples). */
  samples = 0;
  /** Samples whose argmax agrees (samples). */
  agree = 0;
  private readonly vi: number[] = [];
  private readonly ee: number[] = [];

  /** Compare one row of logits. */
  add(vi: ArrayLike<number>, ee: ArrayLike<number>): void {
    if (vi.length !== ee.length) throw new Error(`Agreement: rows of ${vi.length} and ${ee.length} logits`);
    for (let i = 0; i < vi.length; i++) this.maxAbsDiff = Math.max(this.maxAbsDiff, Math.abs(vi[i] - ee[i]));
    const a = confidence(vi);
    const b = confidence(ee);
    this.samples++;
    if (a.argmax === b.argmax) this.agree++;
    this.vi.push(a.conf);
    this.ee.push(b.conf);
  }

  /** Paper Eq. 4 over the samples so far. */
  fidelity(): number {
    return fidelity(this.vi, this.ee);
  }
}

/** Rows `[B][T]` of uniform random ids in `[lo, V)`. */
export function randomIds(rng: RandomSource, B: number, T: number, V: number, lo = 0): number[][] {
  return Array.from({ length: B }, () => Array.from({ length: T }, () => lo + rng.int(V - lo)));
}

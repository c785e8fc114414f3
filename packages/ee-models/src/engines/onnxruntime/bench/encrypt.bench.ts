/**
 * Offline encryption benchmark (not a test). Measures on this machine, in seconds:
 *   bert-base         key generation + weight transform, schemes vocab and full;
 *   llama-3.1-mini    the same (4 layers, d 512, real 128,256 vocabulary);
 *   llama-3.1-8b      ONE decoder layer at 8B shapes (d 4096, f 14336, GQA 32:8), the 128,256 × 4096
 *                     embedding and LM-head products with Q (in 16,384-row chunks, so the 2 GB
 *                     matrices are never held whole), and the key (dominated by a Haar Q of 4096);
 * and extrapolates the whole 8B model: key + 32 × layer + embedding + LM head. The extrapolation
 * is labelled as such; only the parts listed were run.
 *
 * Usage: node dist/engines/onnxruntime/bench/encrypt.bench.js [--only bert,mini,layer8b,vocab8b] [--json <file>]
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { createRandom, type StateDict } from "ee-core";
import { matmul } from "../../../encrypt/matmul.js";
import { getEncrypter } from "../../../encrypt/registry.js";
import { getScheme } from "../../../encrypt/schemes.js";
import { type LlamaConfig, parseLlamaConfig } from "../../../llama/config.js";
import { llamaLayerNames } from "../../../llama/weights.js";
import { getPreset } from "../../../presets.js";
import { getArchitecture } from "../../../registry.js";
import type { ModelConfig } from "../../../types.js";
import { disposeMatmulSessions } from "../matmul.js";
import { ortVersion } from "../runtime.js";

/** One measured item. */
interface Row {
  /** What was measured. */
  item: string;
  /** Key generation (s). */
  keySec: number;
  /** Weight transform (s). */
  applySec: number;
  /** Parameters transformed (parameters). */
  params: number;
  /** Peak resident memory of the process so far (MiB). */
  peakRssMiB: number;
}

const rows: Row[] = [];
const sec = (t0: number) => (performance.now() - t0) / 1000;
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;
const log = (s: string) => process.stdout.write(`${s}\n`);

function paramCount(w: StateDict): number {
  let n = 0;
  for (const t of w.values()) n += t.data.length;
  return n;
}

/** Key generation and weight transform of a preset under a scheme (synthetic weights). */
async function presetRun(presetName: string, scheme: string): Promise<void> {
  const preset = getPreset(presetName);
  const arch = getArchitecture(preset.arch);
  const cfg = arch.parseConfig(preset.config, presetName) as ModelConfig;
  const weights = arch.syntheticWeights(cfg, createRandom({ seed: `bench-${presetName}` }));
  const params = paramCount(weights);
  const enc = getEncrypter(cfg.modelType);
  let t0 = performance.now();
  const key = enc.makeKey(cfg, getScheme(scheme), createRandom());
  const keySec = sec(t0);
  t0 = performance.now();
  await enc.applyKey(cfg, weights, key, { consumeInput: true, label: `${presetName}/${scheme}` });
  const applySec = sec(t0);
  rows.push({ item: `${presetName} ${scheme}`, keySec, applySec, params, peakRssMiB: peakRssMiB() });
  log(
    `${presetName} ${scheme}: key ${keySec.toFixed(2)} s, transform ${applySec.toFixed(2)} s (${(params / 1e6).toFixed(1)} M params)`,
  );
}

/** The 8B config with `numLayers` layers and a small vocabulary (the vocabulary is measured apart). */
function llama8bShapes(vocab: number): LlamaConfig {
  return parseLlamaConfig(
    {
      ...getPreset("llama-3.1-8b").config,
      num_hidden_layers: 1,
      vocab_size: vocab,
      bos_token_id: 0,
      eos_token_id: 1,
    },
    "llama-3.1-8b (1 layer)",
  );
}

/**
 * One decoder layer at 8B shapes, full scheme. Its key generation is dominated by the Haar Q of 4096
 * (ee-core, float64 Householder QR); one layer's other secrets (8 invertibles of 128, permutations,
 * scales) take milliseconds, so this key time stands for the whole model's.
 */
async function layer8b(): Promise<{ layerSec: number; keySec: number }> {
  const cfg = llama8bShapes(8);
  const weights = getArchitecture<LlamaConfig>("llama").syntheticWeights(
    cfg,
    createRandom({ seed: "bench-8b-layer" }),
  );
  const layerNames = new Set(Object.values(llamaLayerNames(0)));
  const layerParams = [...weights]
    .filter(([n]) => layerNames.has(n))
    .reduce((a, [, t]) => a + t.data.length, 0);
  const enc = getEncrypter("llama");
  let t0 = performance.now();
  const key = enc.makeKey(cfg, getScheme("full"), createRandom());
  const keyWithHaarSec = sec(t0);
  // time the layer's tensors only (the tiny embedding / head / final norm are excluded)
  let layerSec = 0;
  let last = performance.now();
  t0 = performance.now();
  await enc.applyKey(cfg, weights, key, {
    consumeInput: true,
    label: "llama-3.1-8b layer",
    onProgress: (_d, _t, name) => {
      const now = performance.now();
      if (layerNames.has(name)) layerSec += (now - last) / 1000;
      last = now;
    },
  });
  rows.push({
    item: "llama-3.1-8b one layer (full, excl. Haar Q)",
    keySec: keyWithHaarSec,
    applySec: layerSec,
    params: layerParams,
    peakRssMiB: peakRssMiB(),
  });
  log(
    `llama-3.1-8b one layer: transform ${layerSec.toFixed(2)} s (${(layerParams / 1e6).toFixed(1)} M params); key incl. Haar Q(4096) ${keyWithHaarSec.toFixed(1)} s`,
  );
  return { layerSec, keySec: keyWithHaarSec };
}

/** One 128,256 × 4096 product with Q (embedding E·Q, or LM head W·Q after the gain fold) in row chunks. */
async function vocab8b(): Promise<number> {
  const V = 128256;
  const d = 4096;
  const rng = createRandom({ seed: "bench-vocab" });
  const q = new Float32Array(d * d);
  rng.fillGaussian(q, 1 / Math.sqrt(d)); // timing only: any [d, d] matrix costs the same
  const chunkRows = 16384;
  const a = new Float32Array(chunkRows * d);
  let productSec = 0;
  for (let r0 = 0; r0 < V; r0 += chunkRows) {
    const m = Math.min(chunkRows, V - r0);
    const part = a.subarray(0, m * d);
    rng.fillGaussian(part, 0.02); // not timed
    const t0 = performance.now();
    await matmul(part, q, m, d, d, "ort");
    productSec += sec(t0);
  }
  rows.push({
    item: "128256×4096 · Q (one of embedding / LM head)",
    keySec: 0,
    applySec: productSec,
    params: V * d,
    peakRssMiB: peakRssMiB(),
  });
  log(`128256×4096 · Q(4096): ${productSec.toFixed(1)} s`);
  return productSec;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: "string" }, json: { type: "string" } } });
  const only = new Set((values.only ?? "bert,mini,layer8b,vocab8b").split(","));
  log(
    `encrypt bench: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, onnxruntime ${ortVersion()}`,
  );
  if (only.has("bert")) for (const s of ["vocab", "full"]) await presetRun("bert-base", s);
  if (only.has("mini")) for (const s of ["vocab", "full"]) await presetRun("llama-3.1-mini", s);
  const { layerSec: layer, keySec: haar } = only.has("layer8b")
    ? await layer8b()
    : { layerSec: Number.NaN, keySec: Number.NaN };
  const vocab = only.has("vocab8b") ? await vocab8b() : Number.NaN;
  await disposeMatmulSessions();
  const extrapolated = haar + 32 * layer + 2 * vocab;
  if (Number.isFinite(extrapolated)) {
    log(
      `EXTRAPOLATED llama-3.1-8b full encryption (not run): key (Haar Q 4096) ${haar.toFixed(0)} s + 32 × layer ${layer.toFixed(1)} s + ` +
        `2 × vocab product ${vocab.toFixed(1)} s ≈ ${extrapolated.toFixed(0)} s (${(extrapolated / 60).toFixed(1)} min), excluding checkpoint I/O and the ONNX write`,
    );
  }
  if (values.json) {
    const env = {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      onnxruntime: ortVersion(),
    };
    writeFileSync(
      values.json,
      `${JSON.stringify({ env, rows, extrapolated8bSec: extrapolated }, null, 2)}\n`,
    );
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

/**
 * Streaming encryption at the real Llama-3.1-8B shapes (a benchmark, not a test).
 *
 *   write   DIR           a synthetic bf16 checkpoint with the 8B preset's exact tensor names and shapes
 *                         (config.json + 4 safetensors shards + index, ≈ 16 GB), values from a cheap
 *                         seeded generator (uniform, std ≈ 0.02; norm gains ≈ 1): timing does not depend
 *                         on the values;
 *   encrypt DIR OUT KEY   `encryptModelFolder(DIR, OUT, { format: "hf", scheme })` as `ee encrypt
 *                         --format hf` runs it; prints wall time and the process's peak RSS.
 *
 *   decode  DIR OUT       one decode step at the 8B shapes through ORT: DIR (an HF checkpoint, plain
 *                         or encrypted) built into the ONNX folder OUT with float16 matrices (float32 does not
 *                         fit: 8.03 G weights × 4 B = 32.1 GB > 24 GiB; float16 is 16.1 GB), opened by the
 *                         default engine (ORT) with graph optimisation off (else the casts to float32 are folded
 *                         back into 32 GB of weights at load) and without its memory arena (else every cast
 *                         stays resident), one prompt of 16 tokens, 2 new tokens: prints
 *                         build and load time, prefill (time to first token) and the decode step, peak RSS;
 *                         the first step's logits go to OUT.first-step.f32. With KEY (an encrypted DIR) the
 *                         folder runs behind the EE client, so ids and logits are decrypted (plain order).
 *
 * Usage: node dist/bench/hf-8b.bench.js write /work/scratch/l8b
 *        /usr/bin/time -v node dist/bench/hf-8b.bench.js encrypt /work/scratch/l8b /work/scratch/l8b-enc /work/scratch/l8b.key [full|full-kron|vocab]
 *        /usr/bin/time -v node dist/bench/hf-8b.bench.js decode /work/scratch/l8b /work/scratch/l8b-onnx
 *        /usr/bin/time -v node dist/bench/hf-8b.bench.js decode /work/scratch/l8b-enc /work/scratch/l8b-enc-onnx /work/scratch/l8b.key
 * Delete the folders afterwards (≈ 16 GB each).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { numElements } from "ee-core";
import { buildModel } from "../build-model.js";
import { CheckpointWriter } from "../checkpoint/writer.js";
import { EncryptedEngine } from "../client/engine.js";
import { encryptModelFolder } from "../encrypt/folder.js";
import { DEFAULT_ENGINE, getEngine } from "../engines/registry.js";
import { llamaArchitecture } from "../llama/architecture.js";
import { type LlamaConfig, parseLlamaConfig } from "../llama/config.js";
import { getPreset } from "../presets.js";

/** Elements generated per block (elements). */
const BLOCK = 1 << 24;

/** Fill `out` with uniform values of mean `mean` and std `std` from a 32-bit xorshift state; returns the state. */
function fillUniform(out: Float32Array, state: number, mean: number, std: number): number {
  const half = std * Math.sqrt(3);
  let x = state | 0 || 1;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = mean + half * ((x >>> 0) / 2147483648 - 1);
  }
  return x;
}

function writeCheckpoint(dir: string): void {
  const cfg: LlamaConfig = parseLlamaConfig(getPreset("llama-3.1-8b").config, "llama-3.1-8b");
  mkdirSync(dir, { recursive: true });
  const shapes = llamaArchitecture.tensorShapes(cfg);
  const writer = new CheckpointWriter(
    dir,
    [...shapes].map(([name, shape]) => ({ name, shape, dtype: "BF16" as const })),
  );
  const t0 = performance.now();
  const block = new Float32Array(BLOCK);
  let state = 0x2545f491;
  let bytes = 0;
  for (const [name, shape] of shapes) {
    const n = numElements(shape);
    const isNorm = name.endsWith("norm.weight");
    for (let off = 0; off < n; off += BLOCK) {
      const part = block.subarray(0, Math.min(BLOCK, n - off));
      state = fillUniform(part, state, isNorm ? 1 : 0, isNorm ? 0.1 : 0.02);
      writer.writePart(name, off, part);
    }
    bytes += 2 * n;
  }
  const files = writer.finish();
  const json = { ...llamaArchitecture.toConfigJson(cfg), torch_dtype: "bfloat16" };
  writeFileSync(join(dir, "config.json"), `${JSON.stringify(json, null, 2)}\n`);
  const sec = (performance.now() - t0) / 1000;
  process.stdout.write(
    `wrote ${dir}: ${files.join(", ")}; ${(bytes / 1e9).toFixed(2)} GB bf16 in ${sec.toFixed(0)} s\n`,
  );
}

async function encrypt(dir: string, out: string, keyPath: string, scheme: string): Promise<void> {
  const t0 = performance.now();
  let last = 0;
  const enc = await encryptModelFolder(dir, out, {
    keyPath,
    scheme,
    format: "hf",
    overwrite: true,
    onProgress: (done, total, name) => {
      const now = performance.now();
      if (now - last < 20_000 && done !== total) return;
      last = now;
      const rss = process.memoryUsage().rss / 2 ** 30;
      process.stderr.write(
        `  ${done}/${total} (${name}) ${((now - t0) / 1000).toFixed(0)} s, RSS now ${rss.toFixed(2)} GiB\n`,
      );
    },
  });
  const sec = (performance.now() - t0) / 1000;
  process.stdout.write(
    `encrypted ${enc.dir} (scheme ${scheme}, format hf): ${sec.toFixed(0)} s wall (${(sec / 60).toFixed(1)} min), peak RSS ${peakRssGiB().toFixed(2)} GiB\n`,
  );
}

function peakRssGiB(): number {
  return (process.resourceUsage().maxRSS * 1024) / 2 ** 30;
}

async function decode(dir: string, out: string, keyPath?: string): Promise<void> {
  const t0 = performance.now();
  await buildModel({
    weightsDir: dir,
    outDir: out,
    tokenizer: null,
    saveWeights: false,
    weightDtype: "float16",
  });
  const buildSec = (performance.now() - t0) / 1000;
  process.stdout.write(
    `built ${out} (float16 matrices) in ${buildSec.toFixed(0)} s, peak RSS ${peakRssGiB().toFixed(2)} GiB\n`,
  );
  const t1 = performance.now();
  // no constant folding (it would widen the float16 matrices back to 32 GB) and no arena (it would keep
  // every layer's float32 cast resident)
  const engineOpts = { extra: { graphOptimizationLevel: "disabled", memArena: false } };
  const factory = getEngine(DEFAULT_ENGINE);
  // an encrypted folder runs behind the EE client: plain ids in, decrypted ids and logits out
  const engine = keyPath
    ? await EncryptedEngine.open(factory, out, keyPath, engineOpts)
    : await factory.open(out, engineOpts);
  const loadSec = (performance.now() - t1) / 1000;
  process.stdout.write(
    `opened in ${loadSec.toFixed(0)} s (${engine.info.label}), RSS now ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB\n`,
  );
  try {
    const prompt = Array.from({ length: 16 }, (_, i) => 1000 + 37 * i);
    for (let run = 0; run < 2; run++) {
      const r = await engine.generate([prompt], { maxNewTokens: 2 });
      const first = r.sequences[0].firstStep;
      if (run === 0 && first.kind === "logits") writeFileSync(`${out}.first-step.f32`, first.logits);
      process.stdout.write(
        `run ${run + 1}: prefill of 16 tokens (time to first token) ${(r.timeToFirstTokenMs / 1000).toFixed(2)} s, one decode step ${(r.perTokenMs[0] / 1000).toFixed(2)} s, tokens ${r.sequences[0].tokenIds.join(" ")}\n`,
      );
    }
  } finally {
    await engine.close();
  }
  process.stdout.write(`peak RSS ${peakRssGiB().toFixed(2)} GiB\n`);
}

async function main(): Promise<void> {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === "write" && args.length === 1) return writeCheckpoint(args[0]);
  if (cmd === "encrypt" && (args.length === 3 || args.length === 4))
    return encrypt(args[0], args[1], args[2], args[3] ?? "full");
  if (cmd === "decode" && (args.length === 2 || args.length === 3)) return decode(args[0], args[1], args[2]);
  throw new Error("usage: hf-8b.bench.js write DIR | encrypt DIR OUT KEY [scheme] | decode DIR OUT [KEY]");
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});

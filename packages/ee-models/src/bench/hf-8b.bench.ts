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
 * Usage: node dist/bench/hf-8b.bench.js write /work/scratch/l8b
 *        /usr/bin/time -v node dist/bench/hf-8b.bench.js encrypt /work/scratch/l8b /work/scratch/l8b-enc /work/scratch/l8b.key [full|vocab]
 * Delete both folders afterwards (≈ 32 GB together).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { numElements } from "ee-core";
import { CheckpointWriter } from "../checkpoint/writer.js";
import { encryptModelFolder } from "../encrypt/folder.js";
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
  const maxRssGiB = (process.resourceUsage().maxRSS * 1024) / 2 ** 30;
  process.stdout.write(
    `encrypted ${enc.dir} (scheme ${scheme}, format hf): ${sec.toFixed(0)} s wall (${(sec / 60).toFixed(1)} min), peak RSS ${maxRssGiB.toFixed(2)} GiB\n`,
  );
}

async function main(): Promise<void> {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === "write" && args.length === 1) return writeCheckpoint(args[0]);
  if (cmd === "encrypt" && (args.length === 3 || args.length === 4))
    return encrypt(args[0], args[1], args[2], args[3] ?? "full");
  throw new Error("usage: hf-8b.bench.js write DIR | encrypt DIR OUT KEY [full|vocab]");
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});

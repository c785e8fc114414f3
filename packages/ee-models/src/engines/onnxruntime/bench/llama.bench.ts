/**
 * Llama benchmark (not a test): build a Llama preset (default llama-3.1-mini) with seeded synthetic
 * weights and measure, on this machine:
 *   - synthetic-weight time, ONNX build time, file sizes;
 *   - prefill latency at bs 1 for 32 / 128 / 512 prompt tokens (median of `--reps`);
 *   - decode speed after a 128-token prompt (median per-token time → tokens/s);
 *   - peak RSS;
 * for the transformers.js-compatible graph (logits at every position) and for the
 * `lastTokenLogitsOnly` graph (the LM head over 128,256 tokens run once per call).
 *
 * Usage: node dist/engines/onnxruntime/bench/llama.bench.js [--preset llama-3.1-mini] [--reps 5] [--decode-steps 32]
 *        [--out <dir to keep the models>] [--json <result file>] [--threads N]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRandom } from "ee-core";
import { writeModelFolder } from "../../../folder.js";
import { llamaArchitecture } from "../../../llama/architecture.js";
import type { LlamaConfig } from "../../../llama/config.js";
import type { LlamaBuildOptions } from "../../../llama/graph.js";
import { getPreset } from "../../../presets.js";
import { argmax } from "../../../runner/sampling.js";
import { CausalLMSession } from "../causal-lm.js";
import { ortVersion } from "../runtime.js";

/** One graph variant's measurements. */
interface VariantResult {
  /** Variant name. */
  variant: string;
  /** ONNX build + write time (ms). */
  buildMs: number;
  /** model.onnx + external data (bytes). */
  fileBytes: number;
  /** Session creation (ms). */
  loadMs: number;
  /** Median prefill latency by prompt length (ms). */
  prefillMs: Record<string, number>;
  /** Median decode step (ms). */
  decodeMsMedian: number;
  /** 1000 / decodeMsMedian (tokens/s). */
  decodeTokensPerSec: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function randomPrompt(n: number, V: number, seed: number): number[] {
  const rng = createRandom({ seed: `prompt-${seed}` });
  return Array.from({ length: n }, () => rng.int(V));
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function measure(
  dir: string,
  cfg: LlamaConfig,
  variant: string,
  buildMs: number,
  fileBytes: number,
  o: { reps: number; decodeSteps: number; threads?: number },
): Promise<VariantResult> {
  const t0 = performance.now();
  const s = await CausalLMSession.open(dir, o.threads ? { intraOpThreads: o.threads } : {});
  const loadMs = performance.now() - t0;
  const prefillMs: Record<string, number> = {};
  try {
    for (const len of [32, 128, 512]) {
      const prompt = randomPrompt(len, cfg.vocabSize, len);
      await s.prefill([prompt]); // warm-up
      const times: number[] = [];
      for (let r = 0; r < o.reps; r++) {
        const t = performance.now();
        await s.prefill([prompt]);
        times.push(performance.now() - t);
      }
      prefillMs[String(len)] = median(times);
      console.error(
        `  ${variant}: prefill ${len} tokens: median ${prefillMs[String(len)].toFixed(1)} ms (${times.map((x) => x.toFixed(0)).join(", ")})`,
      );
    }
    const steps: number[] = [];
    let out = await s.prefill([randomPrompt(128, cfg.vocabSize, 7)]);
    for (let i = 0; i < o.decodeSteps + 2; i++) {
      const t = performance.now();
      out = await s.decode([argmax(out.logits)]);
      if (i >= 2) steps.push(performance.now() - t); // first two steps are warm-up
    }
    const decodeMsMedian = median(steps);
    console.error(
      `  ${variant}: decode median ${decodeMsMedian.toFixed(1)} ms/token → ${(1000 / decodeMsMedian).toFixed(1)} tokens/s`,
    );
    return {
      variant,
      buildMs,
      fileBytes,
      loadMs,
      prefillMs,
      decodeMsMedian,
      decodeTokensPerSec: 1000 / decodeMsMedian,
    };
  } finally {
    await s.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: "string", default: "llama-3.1-mini" },
      reps: { type: "string", default: "5" },
      "decode-steps": { type: "string", default: "32" },
      out: { type: "string" },
      json: { type: "string" },
      threads: { type: "string" },
    },
  });
  const preset = getPreset(values.preset as string);
  if (preset.arch !== "llama") throw new Error(`--preset ${preset.name}: not a Llama preset`);
  const cfg = llamaArchitecture.parseConfig(preset.config, `preset ${preset.name}`);
  const reps = Number(values.reps);
  const decodeSteps = Number(values["decode-steps"]);
  const threads = values.threads ? Number(values.threads) : undefined;
  const root = values.out ?? mkdtempSync(join(tmpdir(), "ee-llama-bench-"));
  console.error(
    `llama bench: ${preset.name}, ${cpus().length} logical CPUs (${cpus()[0]?.model}), onnxruntime-node ${ortVersion()}, Node ${process.version}`,
  );

  const t0 = performance.now();
  const weights = llamaArchitecture.syntheticWeights(cfg, createRandom({ seed: 0 }));
  const syntheticWeightsMs = performance.now() - t0;
  let params = 0;
  for (const t of weights.values()) params += t.data.length;
  console.error(
    `  synthetic weights: ${(params / 1e6).toFixed(1)} M parameters in ${syntheticWeightsMs.toFixed(0)} ms`,
  );

  // weights in the external data file: onnxruntime maps them instead of parsing a 1.2 GB protobuf
  // (session creation measured 41 s inline vs 7 s external for llama-3.1-mini on this machine)
  const external = { externalDataThresholdBytes: 1 << 20 };
  const variants: { name: string; build: LlamaBuildOptions }[] = [
    { name: "all-logits", build: { fused: false, ...external } },
    { name: "last-token-logits", build: { fused: false, lastTokenLogitsOnly: true, ...external } },
  ];
  const results: VariantResult[] = [];
  try {
    for (const v of variants) {
      const dir = join(root, v.name);
      const tb = performance.now();
      const written = await writeModelFolder(dir, llamaArchitecture, cfg, weights, {
        build: v.build,
        saveWeights: false,
      });
      const buildMs = performance.now() - tb;
      const fileBytes = statSync(written.build.onnxPath).size + written.build.externalDataSizeBytes;
      console.error(
        `  ${v.name}: built in ${buildMs.toFixed(0)} ms, ${(fileBytes / 2 ** 20).toFixed(0)} MiB, ${written.build.numNodes} nodes`,
      );
      results.push(await measure(dir, cfg, v.name, buildMs, fileBytes, { reps, decodeSteps, threads }));
    }
  } finally {
    if (!values.out) rmSync(root, { recursive: true, force: true });
  }
  const summary = {
    preset: preset.name,
    parameters: params,
    syntheticWeightsMs,
    reps,
    decodeSteps,
    intraOpThreads: threads ?? "onnxruntime default",
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      onnxruntime: ortVersion(),
    },
    peakRssMiB: peakRssMiB(),
    variants: results,
  };
  console.log(JSON.stringify(summary, null, 2));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

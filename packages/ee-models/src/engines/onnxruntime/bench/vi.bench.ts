/**
 * Benchmark (not a test): vanilla-inference (VI) latency of bert-base, bs 1, at seq 128 and 512,
 * for the plain and the fused graph through our runner, and the same plain folder through
 * transformers.js; plus the machine's MatMul GFLOP/s and the roofline it implies for bert-base.
 *
 *   node packages/ee-models/dist/engines/onnxruntime/bench/vi.bench.js [--models-dir <dir>] [--rounds R] [--matmul-n N] [--json <file>]
 *
 * Timing is interleaved call by call (see `interleavedMedians`): R rounds at seq 128 (R/2 at 512),
 * each calling every task once in a rotating order; the MatMuls that set the roofline run in the
 * same rounds, so load from other processes hits every number alike.
 *
 * Models are built once (synthetic weights, seed 0) into `<repo>/models/bench/` (git-ignored).
 * Medians by tinybench; targets: seq 128 within 2× of the roofline; ours ≤ 1.05 × transformers.js.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { AutoModelForSequenceClassification, Tensor as HfTensor } from "@huggingface/transformers";
import { createRandom } from "ee-core";
import { Bench } from "tinybench";
import { encoderForwardFlops } from "../../../bert/flops.js";
import { buildModel } from "../../../build-model.js";
import { findRepoRoot } from "../../../data-dir.js";
import { GraphBuilder } from "../../../onnx/builder.js";
import { onnx } from "../../../onnx/proto.js";
import { useLocalFilesOnly } from "../../../tokenizers/load.js";
import type { BertConfig, IdBatch } from "../../../types.js";
import { ClassifierSession } from "../classifier.js";
import { createSession, ortVersion, tensorF32 } from "../runtime.js";

/** Command-line options. */
interface BenchArgs {
  modelsDir: string;
  rounds: number;
  json?: string;
  matmulN: number;
}

function parseArgs(argv: string[]): BenchArgs {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = findRepoRoot() ?? process.cwd();
  return {
    modelsDir: resolve(get("--models-dir") ?? join(root, "models", "bench")),
    rounds: Number(get("--rounds") ?? 40),
    json: get("--json"),
    matmulN: Number(get("--matmul-n") ?? 2048),
  };
}

/** A timed task. */
interface Task {
  name: string;
  fn: () => Promise<unknown>;
}

/** Median, minimum (ms) and sample count of one task over all rounds. */
interface Median {
  p50Ms: number;
  minMs: number;
  samples: number;
}

/**
 * Interleaved medians: `rounds` rounds; in each, every task runs under tinybench for about
 * `roundTimeMs` (at least `minIterations` calls; with 0 and 1: exactly one call, i.e. call-by-call
 * interleaving), in an order that rotates from round to round, so that load from other processes
 * hits all tasks alike. Round 0 warms every task up. The median is over all retained samples.
 */
async function interleavedMedians(
  tasks: Task[],
  rounds: number,
  roundTimeMs: number,
  minIterations: number,
): Promise<Map<string, Median>> {
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[(i + r) % tasks.length];
      const bench = new Bench({
        time: roundTimeMs,
        iterations: minIterations,
        warmup: r === 0,
        warmupIterations: 3,
        warmupTime: 0,
        retainSamples: true,
      });
      bench.add(t.name, t.fn);
      await bench.run();
      const res = bench.tasks[0].result;
      if (res.state !== "completed")
        throw new Error(`benchmark ${t.name}: ${res.state}${"error" in res ? `: ${String(res.error)}` : ""}`);
      samples.get(t.name)?.push(...(res.latency.samples ?? []));
    }
  }
  const out = new Map<string, Median>();
  for (const [name, xs] of samples) {
    const sorted = [...xs].sort((a, b) => a - b);
    const m = sorted.length;
    out.set(name, {
      p50Ms: m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2,
      minMs: sorted[0],
      samples: m,
    });
  }
  return out;
}

/** A square MatMul task in onnxruntime (2n³ FLOPs per call) and its release. */
async function matmulTask(n: number): Promise<{ task: Task; flops: number; release: () => Promise<void> }> {
  const g = new GraphBuilder("matmul");
  const a = g.input("A", "float32", [n, n]);
  const b = g.input("B", "float32", [n, n]);
  g.output(g.matmul(a, b), "C", "float32", [n, n]);
  const s = await createSession(onnx.ModelProto.encode(g.modelProto()).finish());
  const rng = createRandom({ seed: "matmul-bench" });
  const A = tensorF32(rng.fillGaussian(new Float32Array(n * n)), [n, n]);
  const B = tensorF32(rng.fillGaussian(new Float32Array(n * n)), [n, n]);
  return {
    task: { name: `matmul ${n}`, fn: () => s.run({ A, B }) },
    flops: 2 * n ** 3,
    release: () => s.release(),
  };
}

/** A bs-1 batch of `T` random non-special ids, all real tokens. */
function randomBatch(cfg: BertConfig, T: number): IdBatch {
  const rng = createRandom({ seed: `ids-${T}` });
  const inputIds = new BigInt64Array(T);
  for (let t = 0; t < T; t++) inputIds[t] = BigInt(1000 + rng.int(cfg.vocabSize - 1000));
  return {
    inputIds,
    attentionMask: new BigInt64Array(T).fill(1n),
    tokenTypeIds: new BigInt64Array(T),
    batchSize: 1,
    seqLen: T,
  };
}

async function ensureModel(dir: string, fused: boolean): Promise<void> {
  if (existsSync(join(dir, "onnx", "model.onnx"))) return;
  const t0 = performance.now();
  await buildModel({ preset: "bert-base", outDir: dir, seed: 0, fused, saveWeights: false });
  console.log(`built ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.modelsDir, { recursive: true });
  const plainDir = join(args.modelsDir, "bert-base-plain");
  const fusedDir = join(args.modelsDir, "bert-base-fused");
  await ensureModel(plainDir, false);
  await ensureModel(fusedDir, true);

  // The 1-minute load average before and after: other processes on the machine skew every number.
  const env = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    onnxruntime: ortVersion(),
    loadAvg1mStart: loadavg()[0],
  };
  console.log(`environment: ${JSON.stringify(env)}`);

  const plain = await ClassifierSession.open(plainDir, { loadTokenizer: false });
  const fused = await ClassifierSession.open(fusedDir, { loadTokenizer: false });
  useLocalFilesOnly();
  const hf = await AutoModelForSequenceClassification.from_pretrained(plainDir, {
    local_files_only: true,
    dtype: "fp32",
    device: "cpu",
  });
  const mm = await matmulTask(args.matmulN);
  const mmSmall = await matmulTask(args.matmulN / 2);
  const cfg = plain.cfg;

  const rows: Record<string, unknown>[] = [];
  for (const T of [128, 512]) {
    const batch = randomBatch(cfg, T);
    const hfInputs = {
      input_ids: new HfTensor("int64", batch.inputIds, [1, T]),
      attention_mask: new HfTensor("int64", batch.attentionMask, [1, T]),
      token_type_ids: new HfTensor("int64", batch.tokenTypeIds as BigInt64Array, [1, T]),
    };
    const tasks: Task[] = [
      { name: "plain", fn: () => plain.runIds(batch) },
      { name: "fused", fn: () => fused.runIds(batch) },
      { name: "transformers.js", fn: () => hf(hfInputs) },
      mm.task,
      mmSmall.task,
    ];
    const m = await interleavedMedians(tasks, T === 128 ? args.rounds : Math.ceil(args.rounds / 2), 0, 1);
    const get = (name: string) => m.get(name) as Median;
    // Machine throughput: the better of two square sizes; by medians (typical) and by minima (peak,
    // the least disturbed call: the fairer roofline on a machine shared with other processes).
    const rate = (t: { task: Task; flops: number }, ms: number) => t.flops / (ms / 1000) / 1e9;
    const gflops = Math.max(rate(mm, get(mm.task.name).p50Ms), rate(mmSmall, get(mmSmall.task.name).p50Ms));
    const gflopsPeak = Math.max(
      rate(mm, get(mm.task.name).minMs),
      rate(mmSmall, get(mmSmall.task.name).minMs),
    );
    const flops = encoderForwardFlops(cfg, T);
    const rooflineMs = (flops / (gflops * 1e9)) * 1000;
    const rooflinePeakMs = (flops / (gflopsPeak * 1e9)) * 1000;
    const row = {
      seqLen: T,
      gflop: flops / 1e9,
      matmulGflops: gflops,
      matmulGflopsPeak: gflopsPeak,
      rooflinePeakMs,
      plainMinOverRooflinePeak: get("plain").minMs / rooflinePeakMs,
      rooflineMs,
      plainMs: get("plain").p50Ms,
      fusedMs: get("fused").p50Ms,
      transformersJsMs: get("transformers.js").p50Ms,
      minMs: Object.fromEntries([...m].map(([k, v]) => [k, v.minMs])),
      samples: Object.fromEntries([...m].map(([k, v]) => [k, v.samples])),
      plainOverTransformersJsMin: get("plain").minMs / get("transformers.js").minMs,
      plainOverRoofline: get("plain").p50Ms / rooflineMs,
      fusedOverRoofline: get("fused").p50Ms / rooflineMs,
      plainOverTransformersJs: get("plain").p50Ms / get("transformers.js").p50Ms,
      fusedOverPlain: get("fused").p50Ms / get("plain").p50Ms,
    };
    rows.push(row);
    console.log(
      `seq ${T}: ${row.gflop.toFixed(2)} GFLOP; MatMul ${gflops.toFixed(1)} GFLOP/s (peak ${gflopsPeak.toFixed(1)}) → roofline ${rooflineMs.toFixed(1)} ms (peak ${rooflinePeakMs.toFixed(1)}) | ` +
        `plain ${row.plainMs.toFixed(1)} ms, fused ${row.fusedMs.toFixed(1)} ms, transformers.js ${row.transformersJsMs.toFixed(1)} ms | ` +
        `plain/roofline ${row.plainOverRoofline.toFixed(2)}×, fused/plain ${row.fusedOverPlain.toFixed(3)}, plain/transformers.js ${row.plainOverTransformersJs.toFixed(3)} ` +
        `(minima: plain ${get("plain").minMs.toFixed(1)}, fused ${get("fused").minMs.toFixed(1)}, transformers.js ${get("transformers.js").minMs.toFixed(1)}, plain min/peak roofline ${row.plainMinOverRooflinePeak.toFixed(2)}×)`,
    );
  }
  await mm.release();
  await mmSmall.release();
  await plain.dispose();
  await fused.dispose();
  await hf.dispose();

  console.log(
    `load average (1 min): ${env.loadAvg1mStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end, on ${env.cores} cores`,
  );
  const r128 = rows[0] as {
    plainOverRoofline: number;
    plainMinOverRooflinePeak: number;
    plainOverTransformersJs: number;
  };
  console.log(
    `targets: seq 128 within 2× of roofline: ${Math.max(r128.plainOverRoofline, r128.plainMinOverRooflinePeak) <= 2 ? "met" : "MISSED"}; ` +
      `ours ≤ 1.05 × transformers.js: ${r128.plainOverTransformersJs <= 1.05 ? "met" : "MISSED"}`,
  );
  if (args.json)
    writeFileSync(
      args.json,
      `${JSON.stringify({ env: { ...env, loadAvg1mEnd: loadavg()[0] }, matmulN: args.matmulN, rounds: args.rounds, rows }, null, 2)}\n`,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

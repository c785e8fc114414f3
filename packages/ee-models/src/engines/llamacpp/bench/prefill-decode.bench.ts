/**
 * llama.cpp against onnxruntime on the same model (a measurement, not a test): time to first token
 * (prefill + choosing it) at several prompt lengths and decode tokens/s, plain folder, one prompt at a
 * time, alternating the two runtimes per repetition. llama.cpp is driven without the first-step
 * probability map the engine builds for fidelity (a 128k-entry map costs hundreds of ms in JS), so
 * this is the runtimes' own speed; the engine's TTFT is in the variants table.
 *
 * Usage: node dist/engines/llamacpp/bench/prefill-decode.bench.js --plain DIR [--type f32]
 *        [--threads 1] [--lengths 32,128] [--decode 32] [--reps 5]
 */
import { cpus, loadavg } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createRandom } from "ee-core";
import { readModelFolder } from "../../../folder.js";
import { getEngine } from "../../registry.js";
import { chooseGguf } from "../gguf-file.js";
import { llamaFor } from "../runtime.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const { values: a } = parseArgs({
  options: {
    plain: { type: "string" },
    type: { type: "string", default: "f32" },
    threads: { type: "string", default: "1" },
    lengths: { type: "string", default: "32,128" },
    decode: { type: "string", default: "32" },
    reps: { type: "string", default: "5" },
  },
});
if (!a.plain) throw new Error("prefill-decode: --plain is required");
const plain = resolve(a.plain);
const threads = Number(a.threads);
const lengths = (a.lengths as string).split(",").map(Number);
const nDecode = Number(a.decode);
const reps = Number(a.reps);
const V = readModelFolder(plain).cfg.vocabSize;
const rng = createRandom({ seed: "prefill-decode" });
const load0 = loadavg();

const ort = await getEngine("onnxruntime").open(plain, { threads, allowSpinning: false });
const stepper = ort.stepper;
if (!stepper) throw new Error("onnxruntime engine has no stepper");
const gguf = chooseGguf(plain, { type: a.type as string, exportIfMissing: true });
const llama = await llamaFor("cpu");
const model = await llama.loadModel({ modelPath: gguf.path, gpuLayers: 0 });
const ctx = await model.createContext({
  contextSize: Math.max(...lengths) + nDecode + 8,
  sequences: 1,
  threads,
  flashAttention: false,
  experimentalKvCacheKeyType: "F32",
  experimentalKvCacheValueType: "F32",
});
const seq = ctx.getSequence();

const ttft: Record<string, { ort: number[]; lc: number[] }> = {};
const decode = { ort: [] as number[], lc: [] as number[] };
for (let r = 0; r < reps; r++) {
  for (const L of lengths) {
    const prompt = Array.from({ length: L }, () => rng.int(V));
    ttft[L] ??= { ort: [], lc: [] };
    const runOrt = async () => {
      const t0 = performance.now();
      const out = await stepper.prefill([prompt]);
      let best = 0;
      for (let i = 1; i < out.vocabSize; i++) if (out.logits[i] > out.logits[best]) best = i;
      ttft[L].ort.push(performance.now() - t0);
      if (L !== lengths[lengths.length - 1]) return;
      for (let s = 0; s < nDecode; s++) {
        const t1 = performance.now();
        const o = await stepper.decode([best]);
        best = 0;
        for (let i = 1; i < o.vocabSize; i++) if (o.logits[i] > o.logits[best]) best = i;
        decode.ort.push(performance.now() - t1);
      }
    };
    const runLc = async () => {
      await seq.clearHistory();
      const t0 = performance.now();
      const last = prompt.length - 1;
      const out = await seq.controlledEvaluate(
        prompt.map((id, i) =>
          i < last ? id : [id, { generateNext: { token: true, options: { temperature: 0 } } }],
        ),
      );
      const first = out[last]?.next.token;
      ttft[L].lc.push(performance.now() - t0);
      if (L !== lengths[lengths.length - 1] || first == null) return;
      let t1 = performance.now();
      let n = 0;
      for await (const _t of seq.evaluate([first], { temperature: 0, yieldEogToken: true })) {
        const now = performance.now();
        decode.lc.push(now - t1);
        t1 = now;
        if (++n >= nDecode) break;
      }
    };
    if (r % 2 === 0) {
      await runOrt();
      await runLc();
    } else {
      await runLc();
      await runOrt();
    }
  }
}
await ctx.dispose();
await model.dispose();
await ort.close();
const load1 = loadavg();
let md = `| runtime | ${lengths.map((L) => `TTFT ${L} tok (ms)`).join(" | ")} | decode (tokens/s) |\n|---|${lengths.map(() => "---|").join("")}---|\n`;
for (const [name, k] of [
  ["onnxruntime fp32", "ort"],
  [`llama.cpp ${a.type}`, "lc"],
] as const) {
  md += `| ${name} | ${lengths.map((L) => median(ttft[L][k]).toFixed(1)).join(" | ")} | ${(1000 / median(decode[k])).toFixed(1)} |\n`;
}
md += `\nmedians of ${reps} repetitions (decode: ${nDecode} steps after the ${lengths[lengths.length - 1]}-token prompt), ${threads} thread(s), ${cpus().length} cores; load average ${load0[0].toFixed(1)} at start, ${load1[0].toFixed(1)} at end.\n`;
process.stdout.write(md);

/**
 * Model variants under EE (a measurement, not a test): one plain Llama folder and its encrypted
 * twin × {onnxruntime fp32, llama.cpp f32, f16, q8_0} × {VI, EE}. For each variant: ΔT from VI and
 * EE interleaved per prompt (VI EE, EE VI, … alternating), fidelity against the fp32 truth
 * (onnxruntime fp32 VI) for VI and for decrypted EE separately, VI-vs-EE agreement, decode tokens/s
 * and time to first token. Prompts are seeded random token ids (the weights are synthetic, so real
 * text would say no more). Writes variants.json, variants.md and variants.svg to --out.
 *
 * Usage: node dist/engines/llamacpp/bench/variants.bench.js --plain DIR --encrypted DIR --key FILE
 *        [--out DIR] [--prompts 16] [--min-len 16] [--max-len 64] [--new-tokens 16] [--reps 3]
 *        [--threads 1] [--variants onnxruntime,f32,f16,q8_0] [--seed 1]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createRandom } from "ee-core";
import { readModelFolder } from "../../../folder.js";
import { agreement, meanAgreement } from "./agreement.js";
import { openSides, type Side, type SideOutput } from "./sides.js";
import { type VariantRow, variantsMarkdown, variantsSvg } from "./variants-report.js";

/** Two-sided 95 % Student-t quantiles by degrees of freedom (1..10; beyond, 1.96). */
const T95 = [Number.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

const { values: a } = parseArgs({
  options: {
    plain: { type: "string" },
    encrypted: { type: "string" },
    key: { type: "string" },
    out: { type: "string", default: "variants-out" },
    prompts: { type: "string", default: "16" },
    "min-len": { type: "string", default: "16" },
    "max-len": { type: "string", default: "64" },
    "new-tokens": { type: "string", default: "16" },
    reps: { type: "string", default: "3" },
    threads: { type: "string", default: "1" },
    variants: { type: "string", default: "onnxruntime,f32,f16,q8_0" },
    seed: { type: "string", default: "1" },
  },
});
if (!a.plain || !a.encrypted || !a.key)
  throw new Error("variants: --plain, --encrypted and --key are required");
const plain = resolve(a.plain);
const enc = resolve(a.encrypted);
const key = resolve(a.key);
const nPrompts = Number(a.prompts);
const nNew = Number(a["new-tokens"]);
const reps = Number(a.reps);
const threads = Number(a.threads);
const variants = (a.variants as string).split(",");
if (variants[0] !== "onnxruntime")
  throw new Error("variants: the list must start with onnxruntime (the fp32 truth)");
const cfg = readModelFolder(plain).cfg;
const rng = createRandom({ seed: `variants-${a.seed}` });
const minLen = Number(a["min-len"]);
const maxLen = Number(a["max-len"]);
const prompts = Array.from({ length: nPrompts }, () =>
  Array.from({ length: minLen + rng.int(maxLen - minLen + 1) }, () => rng.int(cfg.vocabSize)),
);
const load0 = loadavg();
const log = (s: string) => process.stderr.write(`${s}\n`);

/** A variant's VI and EE sides: onnxruntime, or llama.cpp on the folders' `model-<type>.gguf`. */
function openVariant(v: string): Promise<[Side, Side]> {
  if (v === "onnxruntime")
    return openSides("onnxruntime", plain, enc, key, { threads, allowSpinning: false });
  return openSides("llamacpp", plain, enc, key, {
    threads,
    extra: { type: v, exportIfMissing: true, contextSize: 1024 },
  });
}

let truth: SideOutput[] = [];
const rows: VariantRow[] = [];
for (const v of variants) {
  const label = v === "onnxruntime" ? "onnxruntime fp32" : `llama.cpp ${v}`;
  log(`${label}: opening VI and EE`);
  const [vi, ee] = await openVariant(v);
  try {
    for (const p of prompts.slice(0, 2)) {
      await vi.generate(p, nNew); // warm-up
      await ee.generate(p, nNew);
    }
    const outs: { VI: SideOutput[]; EE: SideOutput[] } = { VI: [], EE: [] };
    const repDelta: number[] = [];
    let viMs = 0;
    let eeMs = 0;
    const decode = { VI: { ms: 0, n: 0 }, EE: { ms: 0, n: 0 } };
    const ttft = { VI: 0, EE: 0 };
    for (let r = 0; r < reps; r++) {
      let rv = 0;
      let re = 0;
      for (const [i, p] of prompts.entries()) {
        const order = (i + r) % 2 === 0 ? [vi, ee] : [ee, vi];
        for (const side of order) {
          const o = await side.generate(p, nNew);
          if (side.kind === "VI") rv += o.totalMs;
          else re += o.totalMs;
          decode[side.kind].ms += o.perTokenMs.reduce((x, y) => x + y, 0);
          decode[side.kind].n += o.perTokenMs.length;
          ttft[side.kind] += o.ttftMs;
          if (r === 0) outs[side.kind][i] = o;
        }
      }
      viMs += rv;
      eeMs += re;
      repDelta.push((100 * (re - rv)) / rv);
      log(
        `  rep ${r + 1}/${reps}: VI ${(rv / 1000).toFixed(2)} s, EE ${(re / 1000).toFixed(2)} s (load ${loadavg()[0].toFixed(1)})`,
      );
    }
    if (v === "onnxruntime") truth = outs.VI;
    const d = meanSd(repDelta);
    const n = nPrompts * reps;
    rows.push({
      variant: label,
      viSec: viMs / 1000,
      eeSec: eeMs / 1000,
      deltaTPct: (100 * (eeMs - viMs)) / viMs,
      deltaTStdPct: d.sd,
      deltaTCi95Pct: ((T95[reps - 1] ?? 1.96) * d.sd) / Math.sqrt(reps),
      viVsTruth: meanAgreement(outs.VI.map((o, i) => agreement(truth[i], o))),
      eeVsTruth: meanAgreement(outs.EE.map((o, i) => agreement(truth[i], o))),
      viVsEe: meanAgreement(outs.EE.map((o, i) => agreement(outs.VI[i], o))),
      viDecodeTokPerSec: (1000 * decode.VI.n) / decode.VI.ms,
      eeDecodeTokPerSec: (1000 * decode.EE.n) / decode.EE.ms,
      viPrefillMs: ttft.VI / n,
      eePrefillMs: ttft.EE / n,
    });
  } finally {
    await vi.close();
    await ee.close();
  }
}

const load1 = loadavg();
const note =
  `${nPrompts} seeded random prompts of ${minLen}–${maxLen} tokens, ${nNew} greedy new tokens, ${reps} repetitions, ` +
  `${threads} thread(s) per engine, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}); load average ` +
  `${load0.map((x) => x.toFixed(1)).join(" ")} at start, ${load1.map((x) => x.toFixed(1)).join(" ")} at end. ` +
  "fid = paper Eq. 4 on the first token's confidence; truth = onnxruntime fp32 VI; llama.cpp: f32 KV cache, no flash attention.";
const out = resolve(a.out as string);
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "variants.json"),
  `${JSON.stringify({ plain, encrypted: enc, note, rows }, null, 2)}\n`,
);
const md = variantsMarkdown(rows, note);
writeFileSync(join(out, "variants.md"), md);
writeFileSync(
  join(out, "variants.svg"),
  variantsSvg(rows, `${cfg.vocabSize}-token Llama: VI vs EE per variant`),
);
process.stdout.write(md);
log(`wrote ${out}/variants.{json,md,svg}`);

/**
 * Weight-level quantization error, plain vs encrypted (a measurement, not a test): for every 2-D
 * weight of a plain Llama folder and of its encrypted twin, the relative error of a q8_0 round trip,
 * ‖deq(q(W)) − W‖ / ‖W‖, averaged per tensor family. It explains the end-to-end fidelity of the
 * variants: EE's rotations spread a row's mass evenly (which helps a per-block scale), its per-pair
 * and per-neuron scales and invertible V/O maps widen a block's range (which hurts).
 *
 * Usage: node dist/engines/llamacpp/bench/quant-error.bench.js --plain DIR --encrypted DIR
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { StateDict } from "ee-core";
import { loadCheckpoint } from "../../../checkpoint.js";
import { decodeQ8_0 } from "../../../export/gguf/decode.js";
import { encodeQ8_0 } from "../../../export/gguf/encode.js";
import { readModelFolder } from "../../../folder.js";
import type { LlamaConfig } from "../../../llama/config.js";
import { llamaTensorShapes } from "../../../llama/weights.js";
import { readOnnxInitializers } from "../../../onnx/reader.js";
import { getArchitecture } from "../../../registry.js";

function weightsOf(dir: string): { cfg: LlamaConfig; sd: StateDict } {
  const mf = readModelFolder(dir);
  const cfg = mf.cfg as LlamaConfig;
  const sd = mf.weightsPath
    ? loadCheckpoint(mf.dir, getArchitecture<LlamaConfig>("llama"), cfg)
    : readOnnxInitializers(mf.onnxPath, [...llamaTensorShapes(cfg).keys()]);
  return { cfg, sd };
}

/** Tensor family of an HF name (`q_proj`, `embed_tokens`, …). */
function family(name: string): string {
  const m = /(\w+_proj|embed_tokens|lm_head)/.exec(name);
  return m ? m[1] : name;
}

function relErrors(sd: StateDict): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, t] of sd) {
    if (t.shape.length !== 2) continue;
    const x = t.data as Float32Array;
    const y = decodeQ8_0(encodeQ8_0(x));
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      num += (y[i] - x[i]) ** 2;
      den += x[i] ** 2;
    }
    const f = family(name);
    out.set(f, [...(out.get(f) ?? []), Math.sqrt(num / den)]);
  }
  return out;
}

const { values: a } = parseArgs({ options: { plain: { type: "string" }, encrypted: { type: "string" } } });
if (!a.plain || !a.encrypted) throw new Error("quant-error: --plain and --encrypted are required");
const plain = relErrors(weightsOf(resolve(a.plain)).sd);
const enc = relErrors(weightsOf(resolve(a.encrypted)).sd);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
let md = "| tensor | q8_0 rel. error plain | q8_0 rel. error EE | EE / plain |\n|---|---|---|---|\n";
for (const [f, xs] of plain) {
  const p = mean(xs);
  const e = mean(enc.get(f) ?? [Number.NaN]);
  md += `| ${f} | ${p.toExponential(3)} | ${e.toExponential(3)} | ${(e / p).toFixed(3)} |\n`;
}
process.stdout.write(md);

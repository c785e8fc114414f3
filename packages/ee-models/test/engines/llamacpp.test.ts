/**
 * The llamacpp engine on GGUF exports of llama-tiny, against the onnxruntime engine on the
 * plain folder: same greedy tokens and first-step distribution for f32 (plain, and encrypted then
 * decrypted with the client's key); f16 and q8_0 run and their fidelity is printed and bounded; a
 * corrupt or truncated GGUF is refused before llama.cpp sees it.
 *
 * llama.cpp returns probabilities, not logits (see `engines/llamacpp/first-step.ts`), so logits are
 * compared after centring each vector on its log-sum-exp (log-softmax): shift-free, as softmax is.
 *
 * One llama.cpp thread: its workers poll at barriers, which a loaded 2-core machine punishes.
 */
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRandom } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEClient } from "../../src/client/client.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import type { Engine } from "../../src/engines/engine.js";
import { llamaCppEngine } from "../../src/engines/llamacpp/factory.js";
import { getEngine } from "../../src/engines/registry.js";
import { exportLlamaGguf } from "../../src/export/gguf/export.js";
import type { GgmlTypeName } from "../../src/export/gguf/tensor-types.js";
import { writeModelFolder } from "../../src/folder.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { tempDir, tinyConfig, tinyWeights } from "../llama/helpers.js";

const cfg = tinyConfig();
const N_NEW = 12;
let tmp: { dir: string; cleanup: () => void };
let plain: string;
let enc: string;
let keyPath: string;
/** onnxruntime on the plain folder: the truth. */
let truth: { tokens: number[][]; logits: Float32Array[] };
const rng = createRandom({ seed: "llamacpp-prompts" });
const prompts = Array.from({ length: 4 }, (_, i) =>
  Array.from({ length: 3 + 5 * i }, () => rng.int(cfg.vocabSize)),
);

/** log-softmax of a logit vector (float64 accumulation). */
function logSoftmax(x: Float32Array): Float64Array {
  let mx = Number.NEGATIVE_INFINITY;
  for (const v of x) mx = Math.max(mx, v);
  let z = 0;
  for (const v of x) z += Math.exp(v - mx);
  const lz = mx + Math.log(z);
  return Float64Array.from(x, (v) => v - lz);
}

/** Largest |Δ log p| over tokens, and the paper's fidelity of the top token's probability. */
function compare(
  a: Float32Array,
  b: Float32Array,
): { maxLogpDiff: number; fidelity: number; argmaxSame: boolean } {
  const la = logSoftmax(a);
  const lb = logSoftmax(b);
  let m = 0;
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < la.length; i++) {
    m = Math.max(m, Math.abs(la[i] - lb[i]));
    if (la[i] > la[ia]) ia = i;
    if (lb[i] > lb[ib]) ib = i;
  }
  const sa = Math.exp(la[ia]);
  const sb = Math.exp(lb[ib]);
  return { maxLogpDiff: m, fidelity: 1 - Math.abs(sa - sb) / Math.max(sa, sb), argmaxSame: ia === ib };
}

async function generateWith(engine: Engine, ps: number[][]) {
  const r = await engine.generate(ps, { maxNewTokens: N_NEW });
  return r.sequences.map((s) => {
    if (s.firstStep.kind !== "logits") throw new Error("expected logits");
    return { tokens: [...s.tokenIds], logits: s.firstStep.logits };
  });
}

beforeAll(async () => {
  tmp = tempDir("llamacpp");
  plain = join(tmp.dir, "plain");
  enc = join(tmp.dir, "enc");
  keyPath = join(tmp.dir, "tiny.key");
  await writeModelFolder(plain, llamaArchitecture, cfg, tinyWeights(cfg, 5), { build: { fused: false } });
  await encryptModelFolder(plain, enc, { keyPath, seed: "llamacpp-test", warn: () => {} });
  const ort = await getEngine("onnxruntime").open(plain, { threads: 1 });
  try {
    truth = { tokens: [], logits: [] };
    for (const p of prompts) {
      const s = (await ort.generate([p], { maxNewTokens: N_NEW, eosTokenIds: [] })).sequences[0];
      if (s.firstStep.kind !== "logits") throw new Error("onnxruntime: expected first-step logits");
      truth.tokens.push([...s.tokenIds]);
      truth.logits.push(s.firstStep.logits);
    }
  } finally {
    await ort.close();
  }
}, 120_000);
afterAll(() => tmp?.cleanup());

describe("llamacpp engine", () => {
  it("is available here (node-llama-cpp's prebuilt CPU binding, nothing built or downloaded)", async () => {
    const a = await llamaCppEngine.availability();
    expect(a).toMatchObject({ available: true });
    if (a.available) expect(a.devices).toContain("cpu");
  });

  it("f32 GGUF of the plain folder: same greedy tokens as onnxruntime, log-probabilities within 1e-4", async () => {
    exportLlamaGguf(plain, { type: "f32" });
    const engine = await llamaCppEngine.open(plain, { threads: 1 });
    try {
      expect(engine.outputSize).toBe(cfg.vocabSize);
      const got = await generateWith(engine, prompts);
      got.forEach((g, i) => {
        expect(g.tokens).toEqual(truth.tokens[i]);
        const c = compare(g.logits, truth.logits[i]);
        expect(c.maxLogpDiff).toBeLessThan(1e-4);
      });
    } finally {
      await engine.close();
    }
  }, 60_000);

  it("f32 GGUF of the encrypted folder: decrypted tokens and logits equal onnxruntime's on the plain folder", async () => {
    const out = exportLlamaGguf(enc, { type: "f32" });
    expect(out.encrypted).toBe(true);
    expect(out.vocab).toBe("no_vocab");
    expect(readFileSync(out.path).includes(Buffer.from("tokenizer.ggml.tokens"))).toBe(false);
    const { codec } = EEClient.open(enc, keyPath);
    const engine = await llamaCppEngine.open(enc, { threads: 1 });
    try {
      const got = await generateWith(
        engine,
        prompts.map((p) => codec.encryptIds(p)),
      );
      got.forEach((g, i) => {
        expect(codec.decryptIds(g.tokens)).toEqual(truth.tokens[i]);
        expect(g.tokens).not.toEqual(truth.tokens[i]); // the server saw and produced permuted ids
        const c = compare(codec.decryptLogits(g.logits), truth.logits[i]);
        expect(c.maxLogpDiff).toBeLessThan(1e-4);
      });
    } finally {
      await engine.close();
    }
  }, 60_000);

  it.each(["f16", "q8_0"] as const)(
    "%s runs for plain and encrypted; fidelity against fp32 truth reported",
    async (type: GgmlTypeName) => {
      const { codec } = EEClient.open(enc, keyPath);
      const rows: string[] = [];
      for (const [name, folder, enc_] of [
        ["VI", plain, false],
        ["EE", enc, true],
      ] as const) {
        const engine = await llamaCppEngine.open(folder, {
          threads: 1,
          extra: { type, exportIfMissing: true },
        });
        try {
          const got = await generateWith(engine, enc_ ? prompts.map((p) => codec.encryptIds(p)) : prompts);
          let fid = 0;
          let maxd = 0;
          let tokenAgree = 0;
          got.forEach((g, i) => {
            const logits = enc_ ? codec.decryptLogits(g.logits) : g.logits;
            const tokens = enc_ ? codec.decryptIds(g.tokens) : g.tokens;
            const c = compare(logits, truth.logits[i]);
            fid += c.fidelity / got.length;
            maxd = Math.max(maxd, c.maxLogpDiff);
            tokenAgree += tokens.filter((t, j) => t === truth.tokens[i][j]).length / (got.length * N_NEW);
          });
          rows.push(
            `${type} ${name}: fidelity ${(100 * fid).toFixed(3)} %, max |Δ log p| ${maxd.toExponential(2)}, greedy tokens equal ${(100 * tokenAgree).toFixed(1)} %`,
          );
          // quantization moves the distribution a little, not wholesale (llama-tiny's weights are N(0, 0.15²))
          expect(fid).toBeGreaterThan(0.9);
          expect(maxd).toBeLessThan(type === "f16" ? 0.05 : 0.5);
        } finally {
          await engine.close();
        }
      }
      console.log(rows.join("\n"));
    },
    60_000,
  );

  it("refuses a corrupt or truncated GGUF with a clear error before llama.cpp sees it", async () => {
    const good = exportLlamaGguf(plain, { type: "f16", out: join(tmp.dir, "good.gguf") });
    const bytes = readFileSync(good.path);
    const cut = join(tmp.dir, "cut.gguf");
    writeFileSync(cut, bytes);
    truncateSync(cut, Math.floor(bytes.length / 2));
    await expect(llamaCppEngine.open(cut)).rejects.toThrow(/cut.gguf: truncated GGUF: tensor/);
    const junk = join(tmp.dir, "junk.gguf");
    writeFileSync(junk, Buffer.from("this is not a model file at all"));
    await expect(llamaCppEngine.open(junk)).rejects.toThrow(/junk.gguf: not a GGUF file/);
    await expect(llamaCppEngine.open(join(tmp.dir, "nowhere"))).rejects.toThrow(
      /model-f32.gguf not found; write it with: ee export .* --format gguf --type f32/,
    );
    await expect(llamaCppEngine.open(plain, { extra: { colour: "red" } })).rejects.toThrow(
      /unknown extra key\(s\) colour/,
    );
  });
});

import { createRandom, float32ToHalf, halfToFloat32 } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSession,
  type OrtSession,
  type OrtValueMap,
  outputF32,
  tensorF32,
  tensorI64,
} from "../../src/engines/onnxruntime/runtime.js";
import type { LlamaConfig } from "../../src/llama/config.js";
import { LLAMA_IO, llamaGraph } from "../../src/llama/graph.js";
import { positionIdsFromMask } from "../../src/llama/positions.js";
import { LlamaReference, type LlamaReferenceCache } from "../../src/llama/reference.js";
import { llamaSyntheticWeights } from "../../src/llama/weights.js";
import { buildTiny, maxAbsDiff, tinyConfig, tinyWeights } from "./helpers.js";

const TOL = 1e-4;

/** Feeds of one ORT call; `past` null = empty cache. */
function feeds(cfg: LlamaConfig, ids: number[][], mask: number[][], past: OrtValueMap | null): OrtValueMap {
  const B = ids.length;
  const T = ids[0].length;
  const S = mask[0].length;
  const flatMask = BigInt64Array.from(mask.flat().map(BigInt));
  const f: OrtValueMap = {
    [LLAMA_IO.inputIds]: tensorI64(BigInt64Array.from(ids.flat().map(BigInt)), [B, T]),
    [LLAMA_IO.attentionMask]: tensorI64(flatMask, [B, S]),
    [LLAMA_IO.positionIds]: tensorI64(positionIdsFromMask(flatMask, B, S, T), [B, T]),
  };
  for (let i = 0; i < cfg.numLayers; i++) {
    const empty = tensorF32(new Float32Array(0), [B, cfg.numKvHeads, 0, cfg.headDim]);
    f[LLAMA_IO.pastKey(i)] = past ? past[LLAMA_IO.presentKey(i)] : empty;
    f[LLAMA_IO.pastValue(i)] = past ? past[LLAMA_IO.presentValue(i)] : empty;
  }
  return f;
}

/** Random token ids in [3, V). */
function randomIds(n: number, seed: number, V: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 3 + (s % (V - 3));
  });
}

/** Left-pads rows to a common length with token 0 / mask 0. */
function leftPad(rows: number[][]): { ids: number[][]; mask: number[][] } {
  const T = Math.max(...rows.map((r) => r.length));
  return {
    ids: rows.map((r) => [...new Array<number>(T - r.length).fill(0), ...r]),
    mask: rows.map((r) => [
      ...new Array<number>(T - r.length).fill(0),
      ...new Array<number>(r.length).fill(1),
    ]),
  };
}

for (const variant of [
  { name: "untied head, GQA 4:2", overrides: {} },
  { name: "tied head, MQA 4:1", overrides: { tie_word_embeddings: true, num_key_value_heads: 1 } },
]) {
  describe(`llama ONNX graph vs reference (${variant.name})`, () => {
    const cfg = tinyConfig(variant.overrides);
    const weights = tinyWeights(cfg, 7);
    const ref = new LlamaReference(cfg, weights);
    let built: Awaited<ReturnType<typeof buildTiny>>;
    let session: OrtSession;

    beforeAll(async () => {
      built = await buildTiny(cfg, weights);
      session = await createSession(built.result.onnxPath);
    });
    afterAll(async () => {
      await session?.release();
      built?.cleanup();
    });

    it("declares the transformers.js I/O names", () => {
      expect(built.result.inputNames.slice(0, 3)).toEqual(["input_ids", "attention_mask", "position_ids"]);
      expect(built.result.inputNames).toContain(`past_key_values.${cfg.numLayers - 1}.value`);
      expect(built.result.outputNames[0]).toBe("logits");
      expect(built.result.outputNames).toContain(`present.${cfg.numLayers - 1}.key`);
      // 7 linears per layer + the LM head are Gemms; the 2 attention products per layer are MatMuls
      expect(built.result.opCounts.Gemm).toBe(7 * cfg.numLayers + 1);
      expect(built.result.opCounts.MatMul).toBe(2 * cfg.numLayers);
    });

    it("matches the reference: left-padded batch of 2 prefill, then 3 KV-cache decode steps past the rope's original context", async () => {
      const V = cfg.vocabSize;
      const { ids, mask } = leftPad([randomIds(37, 11, V), randomIds(30, 5, V)]);
      const T = ids[0].length;
      let out = await session.run(feeds(cfg, ids, mask, null));
      let r = ref.forward({ inputIds: ids, attentionMask: mask });
      const logits = outputF32(out, LLAMA_IO.logits);
      expect(out[LLAMA_IO.logits].dims).toEqual([2, T, V]);
      // real (non-pad) positions only: pad rows attend to nothing and are never read
      const real = (i: number) => mask[Math.floor(i / (T * V))][Math.floor(i / V) % T] === 1;
      expect(maxAbsDiff(logits, r.logits, real)).toBeLessThan(TOL);
      // the logits are not trivially small: a 1e-4 match means something
      let sumSq = 0;
      for (const v of r.logits) sumSq += v * v;
      expect(Math.sqrt(sumSq / r.logits.length)).toBeGreaterThan(0.1);

      let maskNow = mask;
      let cache: LlamaReferenceCache = r.present;
      for (let step = 0; step < 3; step++) {
        const next = [[10 + step], [200 + step]];
        maskNow = maskNow.map((row) => [...row, 1]);
        out = await session.run(feeds(cfg, next, maskNow, out));
        r = ref.forward({ inputIds: next, attentionMask: maskNow, past: cache });
        cache = r.present;
        expect(out[LLAMA_IO.logits].dims).toEqual([2, 1, V]);
        expect(maxAbsDiff(outputF32(out, LLAMA_IO.logits), r.logits)).toBeLessThan(TOL);
      }
      // the cache itself (keys after RoPE) at real positions of the last layer
      const S = maskNow[0].length;
      const present = outputF32(out, LLAMA_IO.presentKey(cfg.numLayers - 1));
      const refKeys = cache.keys[cfg.numLayers - 1];
      const per = cfg.numKvHeads * S * cfg.headDim;
      const realKey = (i: number) => maskNow[Math.floor(i / per)][Math.floor(i / cfg.headDim) % S] === 1;
      expect(maxAbsDiff(present, refKeys, realKey)).toBeLessThan(TOL);
    });

    it("left padding does not change a row's logits (padded batch row = the row alone)", async () => {
      const short = randomIds(9, 3, cfg.vocabSize);
      const { ids, mask } = leftPad([randomIds(14, 4, cfg.vocabSize), short]);
      const batched = outputF32(await session.run(feeds(cfg, ids, mask, null)), LLAMA_IO.logits);
      const alone = outputF32(
        await session.run(feeds(cfg, [short], [short.map(() => 1)], null)),
        LLAMA_IO.logits,
      );
      const V = cfg.vocabSize;
      const rowLast = batched.subarray((2 * 14 - 1) * V, 2 * 14 * V);
      expect(maxAbsDiff(rowLast, alone.subarray(8 * V, 9 * V))).toBeLessThan(1e-5);
    });
  });
}

describe("llama ONNX graph options", () => {
  it("lastTokenLogitsOnly emits [B, 1, V] equal to the last row of the full logits", async () => {
    const cfg = tinyConfig();
    const weights = tinyWeights(cfg, 3);
    const full = await buildTiny(cfg, weights);
    const last = await buildTiny(cfg, weights, { lastTokenLogitsOnly: true });
    const [sf, sl] = await Promise.all([
      createSession(full.result.onnxPath),
      createSession(last.result.onnxPath),
    ]);
    try {
      const ids = [randomIds(6, 9, cfg.vocabSize)];
      const mask = [ids[0].map(() => 1)];
      const a = await sf.run(feeds(cfg, ids, mask, null));
      const b = await sl.run(feeds(cfg, ids, mask, null));
      expect(b[LLAMA_IO.logits].dims).toEqual([1, 1, cfg.vocabSize]);
      const V = cfg.vocabSize;
      expect(
        maxAbsDiff(outputF32(b, LLAMA_IO.logits), outputF32(a, LLAMA_IO.logits).subarray(5 * V, 6 * V)),
      ).toBeLessThan(1e-6);
    } finally {
      await sf.release();
      await sl.release();
      full.cleanup();
      last.cleanup();
    }
  });

  it("does not depend on weight values: two weight sets give the same nodes and initializer names", () => {
    const cfg = tinyConfig();
    const ga = llamaGraph(cfg, tinyWeights(cfg, 1), { fused: false });
    const gb = llamaGraph(cfg, llamaSyntheticWeights(cfg, createRandom({ seed: 2 })), { fused: false }); // unit gains
    expect(JSON.stringify(gb.nodes)).toBe(JSON.stringify(ga.nodes));
    expect(JSON.stringify(gb.modelProto())).toBe(JSON.stringify(ga.modelProto()));
    expect(gb.initializers.map((t) => [t.name, t.dims])).toEqual(
      ga.initializers.map((t) => [t.name, t.dims]),
    );
    expect(ga.initializers.some((t) => t.name === "lm_head.weight")).toBe(true);
  });

  it("weightDtype float16 stores matrices in half precision: same logits as float32 weights rounded to half", async () => {
    const cfg = tinyConfig({ tie_word_embeddings: false });
    const weights = tinyWeights(cfg, 4);
    const graph = llamaGraph(cfg, weights, { fused: false, weightDtype: "float16" });
    for (const t of graph.initializers)
      if (weights.has(t.name)) expect(t.elem, t.name).toBe(t.dims.length === 2 ? "float16" : "float32");
    // the float32 twin: every matrix rounded to half and widened back
    const rounded = new Map(
      [...weights].map(([n, t]) => {
        if (t.shape.length !== 2) return [n, t];
        const h = new Uint16Array(t.data.length);
        float32ToHalf(t.data as Float32Array, h);
        const f = new Float32Array(h.length);
        halfToFloat32(h, f);
        return [n, { ...t, data: f }];
      }),
    );
    const half = await buildTiny(cfg, weights, { weightDtype: "float16" });
    const twin = await buildTiny(cfg, rounded);
    const plain = await buildTiny(cfg, weights);
    expect(half.result.externalDataSizeBytes + half.result.onnxSizeBytes).toBeLessThan(
      0.6 * (plain.result.externalDataSizeBytes + plain.result.onnxSizeBytes),
    );
    const sessions = await Promise.all([
      createSession(half.result.onnxPath, { graphOptimizationLevel: "disabled" }),
      createSession(half.result.onnxPath), // "all": the casts are folded at load, same values
      createSession(twin.result.onnxPath),
      createSession(plain.result.onnxPath),
    ]);
    try {
      const ids = [randomIds(7, 5, cfg.vocabSize)];
      const mask = [ids[0].map(() => 1)];
      const [h0, h1, tw, pl] = await Promise.all(
        sessions.map(async (s) => outputF32(await s.run(feeds(cfg, ids, mask, null)), LLAMA_IO.logits)),
      );
      expect(maxAbsDiff(h0, tw)).toBeLessThan(1e-4);
      expect(maxAbsDiff(h1, tw)).toBeLessThan(1e-4);
      const lossy = maxAbsDiff(h0, pl);
      expect(lossy).toBeGreaterThan(1e-6); // the rounding is real
      expect(lossy).toBeLessThan(0.05);
    } finally {
      for (const s of sessions) await s.release();
      for (const b of [half, twin, plain]) b.cleanup();
    }
  });

  it("weightDtype float16 refuses a weight that overflows half precision, naming it", async () => {
    const cfg = tinyConfig();
    const weights = tinyWeights(cfg, 3);
    (weights.get("model.layers.0.mlp.up_proj.weight")?.data as Float32Array)[17] = 1e6;
    await expect(buildTiny(cfg, weights, { weightDtype: "float16" })).rejects.toThrow(
      /weight model\.layers\.0\.mlp\.up_proj\.weight: value 1000000 at element 17 overflows float16/,
    );
  });

  it("rejects fused: true with a reason instead of silently building the plain graph", () => {
    const cfg = tinyConfig();
    expect(() => llamaGraph(cfg, tinyWeights(cfg, 1), { fused: true })).toThrow(
      /fused: true is not implemented for Llama/,
    );
  });

  it("rejects weights that do not fit the config, naming the tensor", async () => {
    const cfg = tinyConfig();
    const weights = tinyWeights(cfg, 3);
    weights.delete("model.layers.1.mlp.up_proj.weight");
    await expect(buildTiny(cfg, weights)).rejects.toThrow(/model\.layers\.1\.mlp\.up_proj\.weight/);
  });
});

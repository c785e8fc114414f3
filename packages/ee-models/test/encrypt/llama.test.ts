/**
 * Llama encrypter through the float64 reference forward with its KV cache: prefill + greedy decode
 * steps, the server sampling encrypted ids. Tiny model (vocab 512, d 64, GQA 4:2, d_h 16, 2 layers,
 * llama3 RoPE) with every tensor randomised, RMSNorm gains included.
 */
import { createRandom } from "ee-core";
import { describe, expect, it } from "vitest";
import { EECodec } from "../../src/client/codec.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { Agreement, confidence, randomIds, tinyLlama } from "./helpers.js";

const DECODE_STEPS = 3;

function lastRow(logits: Float64Array, b: number, T: number, V: number, t = T - 1): Float64Array {
  return logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
}

describe.each([
  ["vocab", false],
  ["full", false],
  ["full", true],
  ["full-kron", true],
] as const)("llama encrypter, scheme %s, tied head %s (reference forward)", (scheme, tied) => {
  const { cfg, weights } = tinyLlama(`enc-llama-${tied}`, { tie_word_embeddings: tied });
  const V = cfg.vocabSize;

  it("decrypted logits equal plain logits over prefill and KV-cache decode steps (200 prompts)", async () => {
    const enc = await encryptWeights(cfg, weights, {
      scheme,
      rng: createRandom({ seed: `key-llama-${scheme}` }),
    });
    const codec = new EECodec(enc.key);
    const plain = new LlamaReference(cfg, weights);
    const secret = new LlamaReference(enc.cfg, enc.weights);
    const first = new Agreement(); // first generated token (paper Eq. 4)
    const every = new Agreement(); // every position and decode step
    let cacheDiffers = 0;
    let steps = 0;
    const rng = createRandom({ seed: "llama-prompts" });
    const B = 8;
    const T = 8;
    for (let batch = 0; batch < 25; batch++) {
      const ids = randomIds(rng, B, T, V);
      let p = plain.forward({ inputIds: ids });
      let s = secret.forward({ inputIds: ids.map((r) => codec.encryptIds(r)) });
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          every.add(
            lastRow(p.logits, b, T, V, t),
            codec.decryptLogits(Float32Array.from(lastRow(s.logits, b, T, V, t))),
          );
        }
        first.add(
          lastRow(p.logits, b, T, V),
          codec.decryptLogits(Float32Array.from(lastRow(s.logits, b, T, V))),
        );
      }
      for (let step = 0; step < DECODE_STEPS; step++) {
        // greedy on both sides; the server's choice is an encrypted id that the client decrypts
        const nextPlain = Array.from(
          { length: B },
          (_, b) => confidence(lastRow(p.logits, b, 1 + (step === 0 ? T - 1 : 0), V)).argmax,
        );
        const nextSecret = Array.from(
          { length: B },
          (_, b) => confidence(lastRow(s.logits, b, 1 + (step === 0 ? T - 1 : 0), V)).argmax,
        );
        expect(codec.decryptIds(nextSecret)).toEqual(nextPlain);
        p = plain.forward({ inputIds: nextPlain.map((id) => [id]), past: p.present });
        s = secret.forward({ inputIds: nextSecret.map((id) => [id]), past: s.present });
        for (let b = 0; b < B; b++)
          every.add(
            lastRow(p.logits, b, 1, V),
            codec.decryptLogits(Float32Array.from(lastRow(s.logits, b, 1, V))),
          );
        steps++;
      }
      const k0p = p.present.keys[0];
      const k0s = s.present.keys[0];
      let differ = 0;
      for (let n = 0; n < k0p.length; n++) if (Math.abs(k0p[n] - k0s[n]) > 1e-6) differ++;
      if (differ > k0p.length / 2) cacheDiffers++;
    }
    expect(first.samples).toBe(200);
    expect(steps).toBe(25 * DECODE_STEPS);
    for (const a of [first, every]) {
      expect(a.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(a.agree).toBe(a.samples);
      expect(a.fidelity()).toBeGreaterThanOrEqual(0.999999);
    }
    // vocab leaves every activation (hence the KV cache) as in the plain model; full moves it.
    expect(cacheDiffers).toBe(scheme === "vocab" ? 0 : 25);
  });

  it("with consumeInput drops each plain tensor once encrypted", async () => {
    const copy = new Map(
      [...weights].map(([n, t]) => [n, { ...t, data: Float32Array.from(t.data as Float32Array) }]),
    );
    const names = [...copy.keys()];
    const seen: number[] = [];
    const enc = await encryptWeights(cfg, copy, {
      scheme,
      rng: createRandom(),
      consumeInput: true,
      onProgress: () => seen.push(copy.size),
    });
    expect(copy.size).toBe(0);
    expect(seen).toEqual(names.map((_, i) => names.length - i - 1)); // one plain tensor fewer per step
    expect(enc.weights.size).toBe(names.length + (tied && scheme !== "vocab" ? 1 : 0));
  });

  if (scheme !== "vocab") {
    it("hides every embedding row and the layer-0 hidden states; emits an untied head", async () => {
      const enc = await encryptWeights(cfg, weights, { scheme, rng: createRandom({ seed: "hide-llama" }) });
      expect(enc.cfg.tieWordEmbeddings).toBe(false);
      expect(enc.weights.has("lm_head.weight")).toBe(true);
      for (const [, t] of enc.weights) expect(t.data.every((x) => Number.isFinite(x as number))).toBe(true);
      const d = cfg.hiddenSize;
      const plainE = weights.get("model.embed_tokens.weight")?.data as Float32Array;
      const encE = enc.weights.get("model.embed_tokens.weight")?.data as Float32Array;
      // Compare sorted rows: equal multisets would mean a mere permutation of coordinates.
      const sortedRow = (m: Float32Array, i: number) =>
        Array.from(m.subarray(i * d, (i + 1) * d))
          .sort((a, b) => a - b)
          .join();
      const plainRows = new Set(Array.from({ length: V }, (_, i) => sortedRow(plainE, i)));
      for (let i = 0; i < V; i++) expect(plainRows.has(sortedRow(encE, i))).toBe(false);

      const codec = new EECodec(enc.key);
      const ids = randomIds(createRandom({ seed: "hid" }), 2, 7, V);
      const p = new LlamaReference(cfg, weights).forward({ inputIds: ids }, { returnHidden: true });
      const s = new LlamaReference(enc.cfg, enc.weights).forward(
        { inputIds: ids.map((r) => codec.encryptIds(r)) },
        { returnHidden: true },
      );
      for (const layer of [0, 1]) {
        const hp = p.hidden?.[layer] as Float64Array;
        const hs = s.hidden?.[layer] as Float64Array;
        let equal = 0;
        for (let n = 0; n < hp.length; n++) if (Math.abs(hp[n] - hs[n]) < 1e-9) equal++;
        expect(equal).toBe(0);
        // the same vector in another basis: norms agree (Q is orthogonal)
        const norm = (h: Float64Array) => Math.hypot(...h.subarray(0, d));
        expect(norm(hs)).toBeCloseTo(norm(hp), 4);
      }
    });
  }
});

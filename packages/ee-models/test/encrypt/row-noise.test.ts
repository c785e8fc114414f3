/**
 * The AloePri-style row-noise schemes (not exact): the level is in the key, the same key gives the
 * same weights, and fidelity (paper Eq. 4, first generated token) and argmax agreement stay within the
 * bounds stated per level on the tiny Llama (float64 reference forward, 200 random prompts).
 */
import { createRandom } from "ee-core";
import { describe, expect, it } from "vitest";
import { EECodec } from "../../src/client/codec.js";
import { applyKey, encryptWeights } from "../../src/encrypt/encrypt.js";
import { ROW_NOISE_META, rowNoiseLevel } from "../../src/encrypt/row-noise.js";
import { getScheme } from "../../src/encrypt/schemes.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { LLAMA_EMBED } from "../../src/llama/weights.js";
import { Agreement, randomIds, tinyLlama } from "./helpers.js";

/**
 * Stated bounds per scheme: fidelity ≥ (fraction), argmax agreement ≥ (fraction). Measured here
 * (2026-11-25): noise-2 94.5 % / 176 of 200, noise-10 81.1 % / 123, noise-30 70.0 % / 51 — even 2 %
 * row noise costs this sharp tiny model > 1 % fidelity. Bounds leave a margin for other seeds.
 */
const BOUNDS = [
  { scheme: "noise-2", fidelity: 0.9, agree: 0.8 },
  { scheme: "noise-10", fidelity: 0.75, agree: 0.5 },
  { scheme: "noise-30", fidelity: 0.6, agree: 0.15 },
] as const;

describe.each(BOUNDS)("row-noise scheme $scheme on the tiny Llama", ({ scheme, fidelity, agree }) => {
  const { cfg, weights } = tinyLlama("row-noise");
  const copy = () =>
    new Map([...weights].map(([n, t]) => [n, { ...t, data: Float32Array.from(t.data as Float32Array) }]));

  it("stores its level in the key and re-applying the key gives the same weights", async () => {
    const enc = await encryptWeights(cfg, copy(), { scheme, rng: createRandom({ seed: `k-${scheme}` }) });
    expect(rowNoiseLevel(enc.key)).toBe(getScheme(scheme).rowNoise);
    expect(enc.key.meta[ROW_NOISE_META]).toBe(String(getScheme(scheme).rowNoise));
    const again = await applyKey(cfg, copy(), enc.key);
    expect(again.weights.get(LLAMA_EMBED)?.data).toEqual(enc.weights.get(LLAMA_EMBED)?.data);
  });

  it(`keeps fidelity ≥ ${fidelity * 100} % and argmax agreement ≥ ${agree * 100} %, and is not exact`, async () => {
    const enc = await encryptWeights(cfg, copy(), { scheme, rng: createRandom({ seed: `k-${scheme}` }) });
    const codec = new EECodec(enc.key);
    const plain = new LlamaReference(cfg, weights);
    const secret = new LlamaReference(enc.cfg, enc.weights);
    const a = new Agreement();
    const rng = createRandom({ seed: "noise-prompts" });
    const V = cfg.vocabSize;
    for (let batch = 0; batch < 25; batch++) {
      const ids = randomIds(rng, 8, 8, V);
      const p = plain.forward({ inputIds: ids });
      const s = secret.forward({ inputIds: ids.map((r) => codec.encryptIds(r)) });
      for (let b = 0; b < 8; b++) {
        const row = (l: Float64Array) => l.subarray((b * 8 + 7) * V, (b * 8 + 8) * V);
        a.add(row(p.logits), codec.decryptLogits(Float32Array.from(row(s.logits))));
      }
    }
    const f = a.fidelity();
    process.stdout.write(
      `${scheme}: fidelity ${(f * 100).toFixed(3)} %, argmax agreement ${a.agree}/${a.samples}, max |Δlogit| ${a.maxAbsDiff.toFixed(3)}\n`,
    );
    expect(f).toBeGreaterThanOrEqual(fidelity);
    expect(a.agree / a.samples).toBeGreaterThanOrEqual(agree);
    expect(a.maxAbsDiff).toBeGreaterThan(1e-3); // the noise is really there
  });
});

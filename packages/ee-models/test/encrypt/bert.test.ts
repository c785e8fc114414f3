/**
 * BERT / RoBERTa encrypter through the float64 reference forward: decrypt(F_k(encrypt(p))) = F(p).
 * Tiny models (vocab 97, d 16, 4 heads, 2 layers, 3 labels) with every tensor randomised.
 */
import { createRandom, type StateDict } from "ee-core";
import { describe, expect, it } from "vitest";
import type { ReferenceBatch } from "../../src/bert/reference.js";
import { encoderReferenceLogits, encoderReferenceStates } from "../../src/bert/reference.js";
import { BERT_VARIANT, ROBERTA_VARIANT } from "../../src/bert/variant.js";
import { EECodec } from "../../src/client/codec.js";
import { BERT_KEY } from "../../src/encrypt/bert.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import type { BertConfig } from "../../src/types.js";
import { paddedBatch } from "../fixtures.js";
import { Agreement, tinyEncoder } from "./helpers.js";

const VARIANTS = { bert: BERT_VARIANT, roberta: ROBERTA_VARIANT } as const;

/** The client's encryption of a batch: ids through π (pads included), masks and types unchanged. */
function encryptBatch(codec: EECodec, b: ReferenceBatch): ReferenceBatch {
  return { ...b, inputIds: b.inputIds.map((row) => codec.encryptIds(row)) };
}

/** 200 samples in padded batches of 8 (lengths 1..24, T = 24), random ids. */
function batches(cfg: BertConfig, seed: string): ReferenceBatch[] {
  const rng = createRandom({ seed });
  return Array.from({ length: 25 }, () =>
    paddedBatch(
      rng,
      cfg.vocabSize,
      cfg.padTokenId,
      Array.from({ length: 8 }, () => 1 + rng.int(24)),
      24,
    ),
  );
}

function rowsEqual(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): boolean {
  for (let c = 0; c < d; c++) if (a[ai * d + c] !== b[bi * d + c]) return false;
  return true;
}

describe.each(["bert", "roberta"] as const)("%s encrypter (reference forward)", (arch) => {
  describe.each(["vocab", "full"] as const)("scheme %s", (scheme) => {
    const { cfg, weights } = tinyEncoder(arch, `enc-${arch}`);
    const variant = VARIANTS[arch];

    it("hidden states after every layer are the plain ones with coordinates moved by the hidden permutation", async () => {
      const enc = await encryptWeights(cfg, weights, {
        scheme,
        rng: createRandom({ seed: `key-${arch}-${scheme}` }),
      });
      const codec = new EECodec(enc.key);
      const d = cfg.hiddenSize;
      // x' = x P (output coordinate P[c] holds plain coordinate c); identity under vocab
      const P = enc.key.components.get(BERT_KEY.hiddenPerm)?.tensor.data as Int32Array | undefined;
      expect(P === undefined).toBe(scheme === "vocab");
      const rng = createRandom({ seed: `states-${arch}` });
      const ids = Array.from({ length: 6 }, () =>
        Array.from({ length: 1 + rng.int(8) }, () => 4 + rng.int(cfg.vocabSize - 4)),
      );
      const plain = encoderReferenceStates(cfg, weights, ids);
      const encd = encoderReferenceStates(
        enc.cfg,
        enc.weights,
        ids.map((r) => codec.encryptIds(r)),
      );
      let worst = 0;
      for (let b = 0; b < ids.length; b++) {
        expect(plain[b]).toHaveLength(cfg.numLayers + 1);
        for (let l = 0; l <= cfg.numLayers; l++)
          for (let t = 0; t < ids[b].length; t++)
            for (let c = 0; c < d; c++) {
              const e = encd[b][l][t * d + (P ? P[c] : c)];
              worst = Math.max(worst, Math.abs(e - plain[b][l][t * d + c]));
            }
      }
      expect(worst).toBeLessThan(1e-5);
    });

    it("decrypted logits equal plain logits on 200 padded random samples", async () => {
      const enc = await encryptWeights(cfg, weights, {
        scheme,
        rng: createRandom({ seed: `key-${arch}-${scheme}` }),
      });
      const codec = new EECodec(enc.key);
      const agreement = new Agreement();
      for (const batch of batches(cfg, `ids-${arch}`)) {
        const vi = encoderReferenceLogits(variant, cfg, weights, batch);
        const eeRaw = encoderReferenceLogits(variant, enc.cfg, enc.weights, encryptBatch(codec, batch));
        for (let b = 0; b < vi.length; b++) {
          const ee = codec.decryptClassLogits(Float32Array.from(eeRaw[b]), cfg.numLabels);
          agreement.add(vi[b], ee);
        }
      }
      expect(agreement.samples).toBe(200);
      expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(agreement.agree).toBe(agreement.samples);
      expect(agreement.fidelity()).toBeGreaterThanOrEqual(0.999999);
    });

    it("keeps tensor names and shapes and encrypts the pad id in the config", async () => {
      const enc = await encryptWeights(cfg, weights, { scheme, rng: createRandom({ seed: `key2-${arch}` }) });
      expect([...enc.weights.keys()]).toEqual([...weights.keys()]);
      for (const [name, t] of weights) expect(enc.weights.get(name)?.shape).toEqual(t.shape);
      const codec = new EECodec(enc.key);
      expect(enc.cfg.padTokenId).toBe(codec.encryptId(cfg.padTokenId));
      // RoBERTa: π fixes the pad id (positions use it as an offset); BERT: π is unconstrained
      if (arch === "roberta") expect(enc.cfg.padTokenId).toBe(cfg.padTokenId);
      expect(enc.key.scheme).toBe(scheme);
      expect(enc.key.architecture).toBe(arch);
    });
  });

  describe("full scheme hides", () => {
    const { cfg, weights } = tinyEncoder(arch, `hide-${arch}`);
    const d = cfg.hiddenSize;

    it("every embedding row and the layer-0 activations", async () => {
      const enc = await encryptWeights(cfg, weights, {
        scheme: "full",
        rng: createRandom({ seed: `hide-key-${arch}` }),
      });
      const name = `${arch}.embeddings.word_embeddings.weight`;
      const plainE = weights.get(name)?.data as Float32Array;
      const encE = enc.weights.get(name)?.data as Float32Array;
      let equal = 0;
      for (let i = 0; i < cfg.vocabSize; i++)
        for (let j = 0; j < cfg.vocabSize; j++) if (rowsEqual(encE, i, plainE, j, d)) equal++;
      expect(equal).toBe(0);

      // Layer-0 activations the server computes: embedding LayerNorm output and the attention queries.
      const codec = new EECodec(enc.key);
      const ids = [3, 17, 42, 5, 60];
      const plain = embedThenQuery(arch, cfg, weights, ids);
      const secret = embedThenQuery(arch, enc.cfg, enc.weights, codec.encryptIds(ids));
      for (let n = 0; n < plain.embedded.length; n++) {
        // permuted, so equal only where P fixes a coordinate by chance; most must differ
        expect(plain.query[n]).not.toBe(secret.query[n]);
      }
      const hiddenPerm = enc.key.components.get(BERT_KEY.hiddenPerm)?.tensor.data as Int32Array;
      const moved = Array.from(hiddenPerm).filter((p, i) => p !== i).length;
      expect(moved).toBeGreaterThan(d / 2);
      let same = 0;
      for (let n = 0; n < plain.embedded.length; n++) if (plain.embedded[n] === secret.embedded[n]) same++;
      expect(same).toBeLessThan(plain.embedded.length / 2);
    });
  });
});

/** Embedding LayerNorm output `[T, d]` and layer-0 queries `[T, d]`, float64, absolute positions. */
function embedThenQuery(
  arch: "bert" | "roberta",
  cfg: BertConfig,
  sd: StateDict,
  ids: number[],
): { embedded: Float64Array; query: Float64Array } {
  const d = cfg.hiddenSize;
  const get = (n: string) => Float64Array.from(sd.get(`${arch}.${n}`)?.data as Float32Array);
  const E = get("embeddings.word_embeddings.weight");
  const P = get("embeddings.position_embeddings.weight");
  const TT = get("embeddings.token_type_embeddings.weight");
  const g = get("embeddings.LayerNorm.weight");
  const beta = get("embeddings.LayerNorm.bias");
  const Wq = get("encoder.layer.0.attention.self.query.weight");
  const bq = get("encoder.layer.0.attention.self.query.bias");
  const offset = arch === "roberta" ? 2 : 0;
  const x = new Float64Array(ids.length * d);
  const q = new Float64Array(ids.length * d);
  ids.forEach((id, t) => {
    const row = Array.from({ length: d }, (_, i) => E[id * d + i] + P[(t + offset) * d + i] + TT[i]);
    const mean = row.reduce((a, b) => a + b, 0) / d;
    const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / d;
    for (let i = 0; i < d; i++)
      x[t * d + i] = ((row[i] - mean) / Math.sqrt(v + cfg.layerNormEps)) * g[i] + beta[i];
    for (let o = 0; o < d; o++) {
      let s = bq[o];
      for (let i = 0; i < d; i++) s += x[t * d + i] * Wq[o * d + i];
      q[t * d + o] = s;
    }
  });
  return { embedded: x, query: q };
}

/**
 * Scheme `homophonic` in memory, through the float64 reference forwards: the copies of a token are
 * interchangeable (every occurrence sent as a random copy), so decrypt(F_enc(encrypt(x))) = F(x) for
 * BERT, RoBERTa and Llama (prefill + greedy KV-cache decode, the server choosing among the copies);
 * a broken variant (copies not duplicated) fails the same check; the copy counts and the V' ids are in
 * the key, authenticated like every other field.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createRandom,
  loadKey,
  readSafetensors,
  type StateDict,
  saveKey,
  validateComponent,
  writeSafetensors,
} from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { encoderReferenceLogits, type ReferenceBatch } from "../../src/bert/reference.js";
import { BERT_VARIANT, ROBERTA_VARIANT } from "../../src/bert/variant.js";
import { EECodec } from "../../src/client/codec.js";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { zipfCounts } from "../../src/encrypt/homophone-corpus.js";
import { allocateHomophones, HOMOPHONE_COUNTS, homophoneTable } from "../../src/encrypt/homophones.js";
import { VOCAB_PERM } from "../../src/encrypt/vocab.js";
import { LlamaReference } from "../../src/llama/reference.js";
import { LLAMA_EMBED } from "../../src/llama/weights.js";
import type { BertConfig, ModelConfig } from "../../src/types.js";
import { paddedBatch } from "../fixtures.js";
import { Agreement, confidence, randomIds, tinyEncoder, tinyLlama } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "ee-homophonic-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Zipf counts and a budget of V/2 extra ids: the frequent ids get many copies. */
const homophonesFor = (cfg: ModelConfig) => ({
  counts: zipfCounts(cfg.vocabSize),
  extraIds: Math.floor(cfg.vocabSize / 2),
});

/** A deep copy of `weights` (the encrypter may consume its input). */
const copyOf = (weights: StateDict): StateDict =>
  new Map([...weights].map(([n, t]) => [n, { ...t, data: Float32Array.from(t.data as Float32Array) }]));

describe("allocateHomophones", () => {
  it("spends the whole budget where it flattens most: per-copy counts end within a factor 2", () => {
    const k = allocateHomophones([1000, 300, 100, 10, 0], 20);
    expect(k.reduce((a, b) => a + b, 0)).toBe(5 + 20);
    expect(k[4]).toBe(1); // never seen: one id
    const perCopy = [1000, 300, 100, 10].map((c, t) => c / k[t]);
    const split = [0, 1, 2, 3].filter((t) => k[t] > 1).map((t) => perCopy[t]);
    // greedy water-filling: no split token's per-copy count is below half the largest
    expect(Math.min(...split)).toBeGreaterThanOrEqual(Math.max(...perCopy) / 2);
  });

  it("keeps special ids single and refuses bad input", () => {
    expect(allocateHomophones([50, 40, 30], 10, [0])[0]).toBe(1);
    expect(() => allocateHomophones([1, -1], 1)).toThrow(/count of token 1/);
    expect(() => allocateHomophones([0, 0], 1)).toThrow(/all zero/);
    expect(() => allocateHomophones([1, 1], 1.5)).toThrow(/extra ids/);
  });
});

describe.each([
  ["bert", BERT_VARIANT],
  ["roberta", ROBERTA_VARIANT],
] as const)("%s, scheme homophonic (reference forward)", (arch, variant) => {
  const { cfg, weights } = tinyEncoder(arch, `homophonic-${arch}`);

  /** 200 padded samples whose ids favour the frequent (many-copy) tokens. */
  const batches = (): ReferenceBatch[] => {
    const rng = createRandom({ seed: `homophonic-ids-${arch}` });
    return Array.from({ length: 25 }, () => {
      const b = paddedBatch(
        rng,
        cfg.vocabSize,
        cfg.padTokenId,
        Array.from({ length: 8 }, () => 1 + rng.int(24)),
        24,
      );
      const low = (id: number) => (id === cfg.padTokenId ? id : rng.int(2) === 0 ? 3 + rng.int(8) : id);
      return {
        ...b,
        inputIds: b.inputIds.map((row, r) => row.map((id, t) => (b.attentionMask[r][t] ? low(id) : id))),
      };
    });
  };

  /** Decrypted vs plain class logits over the 200 samples, every id sent as a fresh random copy. */
  const check = (enc: { cfg: BertConfig; weights: StateDict }, codec: EECodec): Agreement => {
    const a = new Agreement();
    for (const batch of batches()) {
      const ids = batch.inputIds.map((row) => codec.encryptIds(row));
      const vi = encoderReferenceLogits(variant, cfg, weights, batch);
      const ee = encoderReferenceLogits(variant, enc.cfg, enc.weights, { ...batch, inputIds: ids });
      for (let b = 0; b < vi.length; b++)
        a.add(vi[b], codec.decryptClassLogits(Float32Array.from(ee[b]), cfg.numLabels));
    }
    return a;
  };

  it("decrypted logits equal plain logits with every occurrence sent as a random copy (max |Δ| ≤ 1e-4)", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom({ seed: `homophonic-key-${arch}` }),
      homophones: homophonesFor(cfg),
    });
    const table = homophoneTable(enc.key, cfg.vocabSize);
    expect(table?.encryptedSize).toBe(vPrime(cfg));
    expect(enc.cfg.vocabSize).toBe(vPrime(cfg));
    expect(enc.weights.get(`${variant.prefix}.embeddings.word_embeddings.weight`)?.shape[0]).toBe(
      vPrime(cfg),
    );
    const codec = new EECodec(enc.key, { rng: createRandom({ seed: "draws" }) });
    const a = check(enc as { cfg: BertConfig; weights: StateDict }, codec);
    // many occurrences really travel as other copies than copy 0
    let other = 0;
    const rng = createRandom({ seed: "x" });
    for (let i = 0; i < 200; i++) {
      const t = 3 + rng.int(4);
      if (codec.encryptId(t) !== table?.first[t]) other++;
    }
    expect(other).toBeGreaterThan(100);
    expect(a.samples).toBe(200);
    expect(a.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(a.agree).toBe(a.samples);
    expect(a.fidelity()).toBeGreaterThanOrEqual(0.999999);
    if (arch === "roberta") expect(enc.cfg.padTokenId).toBe(cfg.padTokenId); // π'(pad) = pad
  });

  it("fails the same check when the copies are not duplicated (a broken encrypter)", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom({ seed: `homophonic-key-${arch}` }),
      homophones: homophonesFor(cfg),
    });
    const table = homophoneTable(enc.key, cfg.vocabSize);
    if (table === null) throw new Error("no homophone table");
    // break it: every copy ≥ 1 gets the row of copy 0 of ANOTHER token (as if rows were not duplicated)
    const E = enc.weights.get(`${variant.prefix}.embeddings.word_embeddings.weight`)?.data as Float32Array;
    const d = cfg.hiddenSize;
    for (let t = 0; t < cfg.vocabSize; t++)
      for (let c = 1; c < table.counts[t]; c++) {
        const other = table.first[(t + 1) % cfg.vocabSize];
        E.copyWithin(table.encryptedId(t, c) * d, other * d, (other + 1) * d);
      }
    const a = check(enc as { cfg: BertConfig; weights: StateDict }, new EECodec(enc.key));
    expect(a.maxAbsDiff).toBeGreaterThan(1e-2);
  });
});

describe("llama, scheme homophonic (reference forward)", () => {
  const { cfg, weights } = tinyLlama("homophonic-llama");
  const V = cfg.vocabSize;
  const lastRow = (l: Float64Array, b: number, T: number, Vp: number, t = T - 1) =>
    l.subarray((b * T + t) * Vp, (b * T + t + 1) * Vp);

  it("prefill and 3 greedy KV-cache decode steps: decrypted logits equal plain ones, ids equal", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom({ seed: "homophonic-llama-key" }),
      homophones: homophonesFor(cfg),
    });
    const Vp = enc.cfg.vocabSize;
    expect(Vp).toBe(vPrime(cfg));
    expect(enc.weights.get("lm_head.weight")?.shape).toEqual([Vp, cfg.hiddenSize]);
    const codec = new EECodec(enc.key, { rng: createRandom({ seed: "llama-draws" }) });
    const plain = new LlamaReference(cfg, weights);
    const secret = new LlamaReference(enc.cfg, enc.weights);
    const every = new Agreement();
    const rng = createRandom({ seed: "homophonic-llama-prompts" });
    const B = 8;
    const T = 8;
    let serverPickedCopy = 0;
    for (let batch = 0; batch < 10; batch++) {
      // half the ids from the 16 most frequent tokens: those have many copies
      const ids = randomIds(rng, B, T, V).map((r) => r.map((id) => (rng.int(2) ? rng.int(16) : id)));
      let p = plain.forward({ inputIds: ids });
      let s = secret.forward({ inputIds: ids.map((r) => codec.encryptIds(r)) });
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++)
          every.add(
            lastRow(p.logits, b, T, V, t),
            codec.decryptLogits(Float32Array.from(lastRow(s.logits, b, T, Vp, t))),
          );
      for (let step = 0; step < 3; step++) {
        const Tn = step === 0 ? T : 1;
        const nextPlain = Array.from({ length: B }, (_, b) => confidence(lastRow(p.logits, b, Tn, V)).argmax);
        // the server's greedy choice over V' is SOME copy of the right token (all copies tie)
        const nextSecret = Array.from(
          { length: B },
          (_, b) => confidence(lastRow(s.logits, b, Tn, Vp)).argmax,
        );
        expect(codec.decryptIds(nextSecret)).toEqual(nextPlain);
        for (const id of nextSecret) if (id >= V) serverPickedCopy++;
        p = plain.forward({ inputIds: nextPlain.map((id) => [id]), past: p.present });
        // the client re-sends the token as a fresh random copy
        s = secret.forward({ inputIds: nextPlain.map((id) => [codec.encryptId(id)]), past: s.present });
        for (let b = 0; b < B; b++)
          every.add(
            lastRow(p.logits, b, 1, V),
            codec.decryptLogits(Float32Array.from(lastRow(s.logits, b, 1, Vp))),
          );
      }
    }
    expect(every.samples).toBe(10 * B * (T + 3));
    expect(every.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(every.agree).toBe(every.samples);
    expect(every.fidelity()).toBeGreaterThanOrEqual(0.999999);
    process.stdout.write(
      `homophonic llama: the server's greedy pick was an extra copy ${serverPickedCopy} times\n`,
    );
  });

  it("a server's top-k list decrypts to one entry per plain token, in the plain model's order", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom({ seed: "homophonic-llama-key" }),
      homophones: homophonesFor(cfg),
    });
    const Vp = enc.cfg.vocabSize;
    const codec = new EECodec(enc.key, { rng: createRandom({ seed: "topk-draws" }) });
    const plain = new LlamaReference(cfg, weights);
    const secret = new LlamaReference(enc.cfg, enc.weights);
    const rng = createRandom({ seed: "homophonic-topk-prompts" });
    const K = 20;
    let duplicatesDropped = 0;
    for (const ids of randomIds(rng, 6, 6, V)) {
      const p = plain.forward({ inputIds: [ids] }).logits;
      const s = secret.forward({ inputIds: [codec.encryptIds(ids)] }).logits;
      const pRow = lastRow(p, 0, ids.length, V);
      const sRow = lastRow(s, 0, ids.length, Vp);
      // the server's top-K over V' (ties to the lower id), as log-probabilities over V'
      const order = Array.from(sRow.keys()).sort((a, b) => sRow[b] - sRow[a] || a - b);
      let z = 0;
      for (const x of sRow) z += Math.exp(x - sRow[order[0]]);
      const top = Int32Array.from(order.slice(0, K));
      const lp = Float32Array.from(top, (i) => sRow[i] - sRow[order[0]] - Math.log(z));
      const got = codec.decryptTopK(top, lp);
      duplicatesDropped += K - got.ids.length;
      const plainOrder = Array.from(pRow.keys()).sort((a, b) => pRow[b] - pRow[a] || a - b);
      expect(new Set(got.ids).size).toBe(got.ids.length);
      expect([...got.ids]).toEqual(plainOrder.slice(0, got.ids.length));
      for (let i = 1; i < got.logprobs.length; i++)
        expect(got.logprobs[i]).toBeLessThanOrEqual(got.logprobs[i - 1]);
    }
    // the frequent tokens own several ids, so some lists held copies (without them this test says nothing)
    expect(duplicatesDropped).toBeGreaterThan(0);
  });

  it("bit-identical rows for the copies of a token in the embedding and the LM head; eos keeps one id", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom({ seed: "homophonic-llama-key" }),
      homophones: homophonesFor(cfg),
    });
    const table = homophoneTable(enc.key, V);
    if (table === null) throw new Error("no homophone table");
    const d = cfg.hiddenSize;
    for (const name of [LLAMA_EMBED, "lm_head.weight"]) {
      const w = enc.weights.get(name)?.data as Float32Array;
      for (let t = 0; t < V; t++)
        for (let c = 1; c < table.counts[t]; c++) {
          const a = w.subarray(table.first[t] * d, (table.first[t] + 1) * d);
          const b = w.subarray(table.encryptedId(t, c) * d, (table.encryptedId(t, c) + 1) * d);
          expect(b).toEqual(a);
        }
    }
    for (const e of cfg.eosTokenIds) expect(table.counts[e]).toBe(1);
    expect(enc.cfg.eosTokenIds).toEqual(cfg.eosTokenIds.map((e) => table.first[e]));
  });
});

describe("homophonic key file", () => {
  const { cfg, weights } = tinyLlama("homophonic-key");

  it("round-trips the counts and the V' permutation; a changed count is detected", async () => {
    const enc = await encryptWeights(cfg, copyOf(weights), {
      scheme: "homophonic",
      rng: createRandom(),
      homophones: homophonesFor(cfg),
    });
    const path = join(tmp, "h.key");
    saveKey(path, enc.key);
    const back = loadKey(path);
    expect(back.scheme).toBe("homophonic");
    expect(back.components.get(HOMOPHONE_COUNTS)?.tensor.data).toEqual(
      enc.key.components.get(HOMOPHONE_COUNTS)?.tensor.data,
    );
    expect(back.components.get(VOCAB_PERM)?.tensor.shape).toEqual([vPrime(cfg)]);
    // tamper: move one copy from the most-copied token to token V−1, keep the file otherwise as written
    const { tensors, metadata } = readSafetensors(path);
    const k = tensors.get(HOMOPHONE_COUNTS)?.data as Int32Array;
    const top = k.indexOf(Math.max(...k));
    k[top]--;
    k[k.length - 1]++;
    const bad = join(tmp, "bad.key");
    writeSafetensors(bad, tensors, metadata, { mode: 0o600 });
    expect(() => loadKey(bad)).toThrow(/fingerprint|digest/i);
  });

  it("the counts kind refuses a count below 1", () => {
    expect(() =>
      validateComponent(HOMOPHONE_COUNTS, {
        kind: "counts",
        tensor: { dtype: "I32", shape: [3], data: Int32Array.from([1, 0, 2]) },
      }),
    ).toThrow(/position 1 is below 1/);
  });

  it("needs token counts, and refuses them for other schemes", async () => {
    await expect(
      encryptWeights(cfg, copyOf(weights), { scheme: "homophonic", rng: createRandom() }),
    ).rejects.toThrow(/needs token counts/);
    await expect(
      encryptWeights(cfg, copyOf(weights), {
        scheme: "full",
        rng: createRandom(),
        homophones: homophonesFor(cfg),
      }),
    ).rejects.toThrow(/homophonic only/);
  });
});

function vPrime(cfg: ModelConfig): number {
  return cfg.vocabSize + Math.floor(cfg.vocabSize / 2);
}

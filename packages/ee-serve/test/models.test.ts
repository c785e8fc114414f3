/**
 * Real models over real loopback HTTP: llama-tiny and bert-tiny, plain and encrypted, each served by
 * `serveFolder` (onnxruntime engine), driven by the http engine and `EEHttpClient`. Over the wire,
 * decrypted results equal in-process plain results: generated ids exactly (greedy), first-step
 * log-probabilities within 1e-4 nats; class logits within 1e-4 (fp32 rounding of the transforms).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildModel,
  EEClient,
  EEHttpClient,
  EncryptedEngine,
  type Engine,
  encryptModelFolder,
  type FirstStep,
  getEngine,
} from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EEServer, serveFolder } from "../src/index.js";

/** Tolerance on log-probabilities and logits, plain vs decrypted (nats). */
const TOL = 1e-4;

function topk(f: FirstStep): { ids: number[]; logprobs: number[] } {
  if (f.kind !== "topk") throw new Error(`expected a top-k first step, got ${f.kind}`);
  return { ids: Array.from(f.ids), logprobs: Array.from(f.logprobs) };
}

interface Served {
  root: string;
  plain: string;
  enc: string;
  keyPath: string;
  plainServer: EEServer;
  encServer: EEServer;
  local: Engine;
}

async function serveBoth(preset: string): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), `ee-serve-${preset}-`));
  const plain = join(root, "plain");
  const enc = join(root, "enc");
  mkdirSync(join(root, "client"));
  const keyPath = join(root, "client", "key.safetensors");
  await buildModel({ preset, outDir: plain, seed: 11, tokenizer: null });
  await encryptModelFolder(plain, enc, { keyPath, scheme: "full" });
  const opts = { port: 0, engineOptions: { threads: 1 } };
  const plainServer = await serveFolder(plain, opts);
  const encServer = await serveFolder(enc, opts);
  const local = await getEngine("onnxruntime").open(plain, { threads: 1 });
  return { root, plain, enc, keyPath, plainServer, encServer, local };
}

async function stopAll(s: Served | undefined): Promise<void> {
  if (!s) return;
  await Promise.all([s.plainServer.close(), s.encServer.close(), s.local.close()]);
  rmSync(s.root, { recursive: true, force: true });
}

describe("llama-tiny over the wire", () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveBoth("llama-tiny");
  });
  afterAll(() => stopAll(s));

  const prompts = [
    [1, 17, 42, 99, 3],
    [250, 7],
    [5, 6, 7, 8, 9, 10, 11],
  ];
  const opts = { maxNewTokens: 8, eosTokenIds: [] as number[], firstStep: { topK: 5 } };

  it("plain: the http engine (streamed and not) returns the in-process ids and top-5 log-probs", async () => {
    const local = await s.local.generate(prompts, opts);
    for (const stream of [true, false]) {
      const http = await getEngine("http").open(s.plain, {
        extra: { endpoint: s.plainServer.url, concurrency: 3, stream },
      });
      const wire = await http.generate(prompts, opts);
      wire.sequences.forEach((w, i) => {
        const l = local.sequences[i];
        expect(w.tokenIds).toEqual(l.tokenIds);
        expect(w.finishReason).toBe("length");
        const a = topk(w.firstStep);
        const b = topk(l.firstStep);
        expect(a.ids).toEqual(b.ids);
        a.logprobs.forEach((v, j) => {
          expect(Math.abs(v - b.logprobs[j])).toBeLessThan(TOL);
        });
      });
    }
  });

  it("encrypted: EEHttpClient's decrypted ids and log-probs equal plain in-process inference", async () => {
    const client = await EEHttpClient.open({ endpoint: s.encServer.url, keyPath: s.keyPath, concurrency: 2 });
    expect(client.keyCheck).toBe("server-fingerprint");
    const local = await s.local.generate(prompts, opts);
    const wire = await client.generate(prompts, { maxNewTokens: 8, topK: 5 });
    wire.sequences.forEach((w, i) => {
      expect(w.tokenIds).toEqual(local.sequences[i].tokenIds);
      const a = topk(w.firstStep);
      const b = topk(local.sequences[i].firstStep);
      expect(a.ids).toEqual(b.ids);
      a.logprobs.forEach((v, j) => {
        expect(Math.abs(v - b.logprobs[j])).toBeLessThan(TOL);
      });
    });
    expect(wire.requests.every((r) => r.tokens === 8 && r.tpotMs !== null)).toBe(true);
  });

  it("encrypted: the EE client over the http engine (EncryptedEngine) equals plain, like over any engine", async () => {
    const inner = await getEngine("http").open(s.enc, {
      extra: { endpoint: s.encServer.url, concurrency: 3 },
    });
    const ee = new EncryptedEngine(EEClient.open(s.enc, s.keyPath), inner);
    const local = await s.local.generate(prompts, opts);
    const wire = await ee.generate(prompts, opts);
    wire.sequences.forEach((w, i) => {
      expect(w.tokenIds).toEqual(local.sequences[i].tokenIds);
      expect(topk(w.firstStep).ids).toEqual(topk(local.sequences[i].firstStep).ids);
    });
  });

  it("encrypted: stopping on an EOS works on encrypted ids (the client encrypts the stop token)", async () => {
    const local = await s.local.generate([prompts[0]], opts);
    const stopAt = local.sequences[0].tokenIds[2];
    const client = await EEHttpClient.open({ endpoint: s.encServer.url, keyPath: s.keyPath });
    const wire = await client.generate([prompts[0]], { maxNewTokens: 8, eosTokenIds: [stopAt], topK: 1 });
    const expected = local.sequences[0].tokenIds;
    expect(wire.sequences[0].tokenIds).toEqual(expected.slice(0, expected.indexOf(stopAt) + 1));
    expect(wire.sequences[0].finishReason).toBe("eos");
  });

  it("refuses a key that is not the served model's", async () => {
    const other = join(s.root, "client", "other.safetensors");
    await encryptModelFolder(s.plain, join(s.root, "enc-other"), { keyPath: other, scheme: "full" });
    await expect(EEHttpClient.open({ endpoint: s.encServer.url, keyPath: other })).rejects.toThrow(
      /is not the key the served model was encrypted with/,
    );
  });
});

describe("bert-tiny over the wire", () => {
  let s: Served;
  beforeAll(async () => {
    s = await serveBoth("bert-tiny");
  });
  afterAll(() => stopAll(s));

  const inputs = [
    [101, 2023, 3185, 2001, 2307, 102],
    [101, 6659, 102],
    [101, 1037, 2158, 1997, 2616, 1998, 2358, 102],
  ];

  it("plain and decrypted class logits over /classify equal in-process logits", async () => {
    const local = await s.local.classify(inputs);
    const http = await getEngine("http").open(s.plain, { extra: { endpoint: s.plainServer.url } });
    const plainWire = await http.classify(inputs);
    const client = await EEHttpClient.open({ endpoint: s.encServer.url, keyPath: s.keyPath });
    const encWire = await client.classify(inputs);
    expect(plainWire.logits.dims).toEqual(local.logits.dims);
    local.logits.data.forEach((v, i) => {
      expect(Math.abs((plainWire.logits.data[i] as number) - (v as number))).toBeLessThan(TOL);
      expect(Math.abs(encWire.logits[i] - (v as number))).toBeLessThan(TOL);
    });
  });
});

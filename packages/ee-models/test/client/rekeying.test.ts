/**
 * Per-session re-keying: three encrypted copies of a tiny Llama under three keys; every session goes to
 * one copy and decrypts to the plain model's output, sessions spread over the copies, and members that
 * do not belong together are refused with the reason.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EncryptedEngine } from "../../src/client/engine.js";
import { RekeyingEngine } from "../../src/client/rekeying.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import type { Engine } from "../../src/engines/engine.js";
import { getEngine } from "../../src/engines/registry.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("rekeying");
const plainDir = join(tmp.dir, "plain");
const copies = [0, 1, 2].map((i) => ({
  folder: join(tmp.dir, `enc-${i}`),
  key: join(tmp.dir, `k-${i}.key`),
}));
const vocabCopy = { folder: join(tmp.dir, "enc-vocab"), key: join(tmp.dir, "k-vocab.key") };
const ort = getEngine("onnxruntime");
let plain: Engine;

beforeAll(async () => {
  const llama = tinyLlama("rekeying", { eos_token_id: 2 });
  await writeModelFolder(plainDir, getArchitecture("llama"), llama.cfg, llama.weights, {
    build: { fused: false },
  });
  for (const [i, c] of copies.entries())
    await encryptModelFolder(plainDir, c.folder, { keyPath: c.key, seed: 100 + i });
  await encryptModelFolder(plainDir, vocabCopy.folder, { keyPath: vocabCopy.key, scheme: "vocab", seed: 9 });
  plain = await ort.open(plainDir);
});
afterAll(async () => {
  await plain.close();
  tmp.cleanup();
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("RekeyingEngine", () => {
  it("sends each session to one copy and decrypts it to the plain model's output", async () => {
    const members = await Promise.all(copies.map((c) => EncryptedEngine.open(ort, c.folder, c.key)));
    let turn = 0;
    const engine = new RekeyingEngine(members, (k) => turn++ % k); // round robin: every copy serves
    try {
      const prompts = [
        [5, 17, 99, 3],
        [40, 41, 42],
      ];
      const want = await plain.generate(prompts, { maxNewTokens: 4 });
      for (let s = 0; s < 6; s++) {
        const got = await engine.generate(prompts, { maxNewTokens: 4 });
        for (const [b, seq] of got.sequences.entries()) {
          expect(seq.tokenIds).toEqual(want.sequences[b].tokenIds);
          const [g, w] = [seq.firstStep, want.sequences[b].firstStep];
          if (g.kind !== "logits" || w.kind !== "logits") throw new Error("expected logits");
          expect(maxAbsDiff(g.logits, w.logits)).toBeLessThan(1e-4);
        }
      }
      expect(engine.sessions).toEqual([2, 2, 2]);
    } finally {
      await engine.close();
    }
  });

  it("draws copies with crypto.randomInt by default", async () => {
    const engine = await RekeyingEngine.open(ort, copies);
    try {
      for (let s = 0; s < 12; s++) await engine.generate([[7, 8, 9]], { maxNewTokens: 1 });
      expect(engine.sessions.reduce((a, b) => a + b, 0)).toBe(12);
      expect(engine.sessions.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it("refuses one copy, a key used twice and copies of different schemes", async () => {
    await expect(RekeyingEngine.open(ort, copies.slice(0, 1))).rejects.toThrow(
      /at least 2 encrypted copies, got 1/,
    );
    await expect(RekeyingEngine.open(ort, [copies[0], copies[0]])).rejects.toThrow(/use the same key/);
    await expect(RekeyingEngine.open(ort, [copies[0], vocabCopy])).rejects.toThrow(
      /enc-vocab has scheme vocab, but .*enc-0 has full/,
    );
  });
});

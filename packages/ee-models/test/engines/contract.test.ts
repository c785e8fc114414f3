/**
 * The engine contract, run against every registered engine that is available here, under both
 * launchers: classify and greedy generate on tiny plain and encrypted folders, the EE client over the
 * engine equal to the plain engine (tolerances below), exact `maxNewTokens`, EOS stop, top-k first
 * step, clear errors for bad inputs, close. An engine that is not available must say why.
 *
 * Tolerances: EE logits vs plain logits ≤ 1e-4 absolute (float32 sums in another order after the
 * key's permutations/rotations); generated ids and top-k ids exactly equal.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEClient } from "../../src/client/client.js";
import { EncryptedEngine } from "../../src/client/engine.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import type { Engine, EngineAvailability, EngineOptions } from "../../src/engines/engine.js";
import { LAUNCHERS, type Launcher, launchEngine } from "../../src/engines/launch.js";
import { engineNames, getEngine } from "../../src/engines/registry.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { tinyEncoder, tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

/** EE vs plain logits (nats, absolute). */
const LOGIT_TOL = 1e-4;

/** Options an engine needs to open a folder in this test (e.g. an endpoint); default none. */
const CONTRACT_OPTIONS: Record<string, EngineOptions> = {
  // llama.cpp runs GGUF files: written from the folder on first open; one thread (its workers poll)
  llamacpp: { threads: 1, extra: { exportIfMissing: true } },
};

/** Engines that run causal LMs only (a classifier folder is refused at open, naming why). */
const GENERATE_ONLY = new Set(["llamacpp"]);

const availability = new Map<string, EngineAvailability>();
for (const name of engineNames()) availability.set(name, await getEngine(name).availability());
const available = engineNames().filter((n) => availability.get(n)?.available);

const tmp = tempDir("engine-contract");
const dirs = {
  cls: join(tmp.dir, "bert"),
  clsEnc: join(tmp.dir, "bert.ee"),
  clsKey: join(tmp.dir, "bert.key"),
  lm: join(tmp.dir, "llama"),
  lmEnc: join(tmp.dir, "llama.ee"),
  lmKey: join(tmp.dir, "llama.key"),
};

beforeAll(async () => {
  const bert = tinyEncoder("bert", "contract-bert");
  await writeModelFolder(dirs.cls, getArchitecture("bert"), bert.cfg, bert.weights, {
    build: { fused: false },
  });
  await encryptModelFolder(dirs.cls, dirs.clsEnc, { keyPath: dirs.clsKey, seed: 5 });
  const llama = tinyLlama("contract-llama", { eos_token_id: 2 });
  await writeModelFolder(dirs.lm, getArchitecture("llama"), llama.cfg, llama.weights, {
    build: { fused: false },
  });
  await encryptModelFolder(dirs.lm, dirs.lmEnc, { keyPath: dirs.lmKey, seed: 6 });
});
afterAll(() => tmp.cleanup());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("every registered engine says whether it runs here", () => {
  it.each(engineNames())("%s", (name) => {
    const a = availability.get(name)!;
    if (a.available) expect(a.devices).toContain("cpu");
    else expect(a.reason.length).toBeGreaterThan(0);
  });
  it("at least one engine is available", () => {
    expect(available.length).toBeGreaterThan(0);
  });
});

const CASES: [string, Launcher][] = available.flatMap((n) =>
  LAUNCHERS.map((l): [string, Launcher] => [n, l]),
);

describe.each(CASES)("engine %s, launcher %s", (name, launcher) => {
  const opts = CONTRACT_OPTIONS[name] ?? {};
  const open = (dir: string) => launchEngine(name, dir, opts, launcher);
  const openEE = async (dir: string, key: string) =>
    new EncryptedEngine(EEClient.open(dir, key), await open(dir));

  if (GENERATE_ONLY.has(name)) {
    it("refuses a classifier folder with a clear error", async () => {
      await expect(open(dirs.cls)).rejects.toThrow(/bert/);
    });
  } else {
    describe("classify", () => {
      let vi: Engine;
      let ee: EncryptedEngine;
      beforeAll(async () => {
        vi = await open(dirs.cls);
        ee = await openEE(dirs.clsEnc, dirs.clsKey);
      });
      afterAll(async () => {
        await vi?.close();
        await ee?.close();
      });

      it("reports itself and the folder", () => {
        expect(vi.task).toBe("classify");
        expect(vi.outputSize).toBe(3);
        expect(vi.maxPositions).toBeGreaterThan(8);
        expect(vi.info.name).toBe(name);
        expect(vi.info.label.length).toBeGreaterThan(0);
        expect(ee.info).toEqual(vi.info);
      });

      it("classifies a ragged batch; the EE client gives the plain logits", async () => {
        const ids = [
          [2, 17, 40, 5, 90, 3],
          [2, 8, 3],
          [2, 60, 61, 62, 63, 64, 65, 66, 3],
        ];
        const plain = await vi.classify(ids);
        expect(plain.logits.dims).toEqual([3, 3]);
        expect(plain.latencyMs).toBeGreaterThan(0);
        const enc = await ee.classify(ids);
        expect(enc.logits.dims).toEqual([3, 3]);
        expect(maxAbsDiff(enc.logits.data, plain.logits.data)).toBeLessThan(LOGIT_TOL);
        // rows are independent of their batch-mates (padding is masked)
        const alone = await vi.classify([ids[1]]);
        expect(maxAbsDiff(alone.logits.data, plain.logits.data.subarray(3, 6))).toBeLessThan(LOGIT_TOL);
      });

      it("rejects bad inputs clearly", async () => {
        await expect(vi.classify([[2, 97, 3]])).rejects.toThrow(/token id 97 is outside the vocabulary/);
        await expect(vi.classify([[2, 3], []])).rejects.toThrow(/sequence 1 is empty/);
        await expect(vi.classify([])).rejects.toThrow(/no sequences/);
        await expect(vi.generate([[2, 3]], { maxNewTokens: 1 })).rejects.toThrow(
          /generate on a classify model/,
        );
      });
    });
  }

  describe("generate", () => {
    let vi: Engine;
    let ee: EncryptedEngine;
    const prompts = [
      [1, 17, 300, 42, 8, 99, 123],
      [1, 400, 3, 77],
    ];
    beforeAll(async () => {
      vi = await open(dirs.lm);
      ee = await openEE(dirs.lmEnc, dirs.lmKey);
    });
    afterAll(async () => {
      await vi?.close();
      await ee?.close();
    });

    it("greedy: exactly maxNewTokens without EOS; EE decrypts to the plain ids and first-step logits", async () => {
      const plain = await vi.generate(prompts, { maxNewTokens: 9, eosTokenIds: [] });
      const enc = await ee.generate(prompts, { maxNewTokens: 9, eosTokenIds: [] });
      expect(vi.task).toBe("generate");
      expect(vi.outputSize).toBe(512);
      for (const [b, s] of plain.sequences.entries()) {
        expect(s.tokenIds).toHaveLength(9);
        expect(s.finishReason).toBe("length");
        expect(enc.sequences[b].tokenIds).toEqual(s.tokenIds);
        const [p, e] = [s.firstStep, enc.sequences[b].firstStep];
        if (p.kind !== "logits" || e.kind !== "logits") throw new Error("expected full first-step logits");
        expect(p.logits).toHaveLength(512);
        expect(maxAbsDiff(e.logits, p.logits)).toBeLessThan(LOGIT_TOL);
      }
      expect(plain.perTokenMs).toHaveLength(8);
      expect(new Set(plain.sequences.flatMap((s) => s.tokenIds)).size).toBeGreaterThan(3); // not degenerate
    });

    it("stops at an EOS (plain ids through the client), and top-k first steps agree", async () => {
      const free = await vi.generate([prompts[0]], { maxNewTokens: 6, eosTokenIds: [] });
      const ids = free.sequences[0].tokenIds;
      const stop = ids[3];
      const expected = ids.slice(0, ids.indexOf(stop) + 1);
      for (const e of [vi, ee]) {
        const r = await e.generate([prompts[0]], {
          maxNewTokens: 6,
          eosTokenIds: [stop],
          firstStep: { topK: 5 },
        });
        const s = r.sequences[0];
        expect(s.tokenIds).toEqual(expected);
        expect(s.finishReason).toBe("eos");
        if (s.firstStep.kind !== "topk") throw new Error("expected a top-k first step");
        expect(s.firstStep.ids[0]).toBe(ids[0]);
        expect(s.firstStep.ids).toHaveLength(5);
        const lp = [...s.firstStep.logprobs];
        expect(lp).toEqual([...lp].sort((a, b) => b - a));
        expect(lp[0]).toBeLessThanOrEqual(0);
      }
    });

    it("rejects bad inputs clearly", async () => {
      await expect(vi.generate([[1, 512]], { maxNewTokens: 2 })).rejects.toThrow(
        /token id 512 is outside the vocabulary/,
      );
      await expect(vi.generate([[1, 2], []], { maxNewTokens: 2 })).rejects.toThrow(/sequence 1 is empty/);
      await expect(vi.generate([[1, 2]], { maxNewTokens: 0 })).rejects.toThrow(
        /maxNewTokens must be an integer >= 1/,
      );
      await expect(vi.generate([[1, 2]], { maxNewTokens: 1, firstStep: { topK: 0 } })).rejects.toThrow(
        /topK/,
      );
      await expect(vi.classify([[1, 2]])).rejects.toThrow(/classify on a generate model/);
      await expect(ee.generate([[1, 600]], { maxNewTokens: 1 })).rejects.toThrow(/outside the vocabulary/);
    });
  });

  it("close releases the engine; opening a missing folder names it", async () => {
    const e = await open(GENERATE_ONLY.has(name) ? dirs.lm : dirs.cls);
    await expect(e.close()).resolves.toBeUndefined();
    await expect(open(join(tmp.dir, "missing"))).rejects.toThrow(/missing/);
  });
});

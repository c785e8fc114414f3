/**
 * `EngineGenerateOptions.onStep` (what `ee serve` streams from): the onnxruntime engine reports each
 * step's tokens as they are chosen, and the EE client over it reports plain ids and first steps.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEClient } from "../../src/client/client.js";
import { EncryptedEngine } from "../../src/client/engine.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import type { Engine, FirstStep } from "../../src/engines/engine.js";
import { getEngine } from "../../src/engines/registry.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("on-step");
const plainDir = join(tmp.dir, "llama");
const encDir = join(tmp.dir, "llama.ee");
const keyPath = join(tmp.dir, "llama.key");
let vi: Engine;
let ee: EncryptedEngine;

beforeAll(async () => {
  const llama = tinyLlama("on-step-llama", { eos_token_id: 2 });
  await writeModelFolder(plainDir, getArchitecture("llama"), llama.cfg, llama.weights, {
    build: { fused: false },
  });
  await encryptModelFolder(plainDir, encDir, { keyPath, seed: 9 });
  vi = await getEngine("onnxruntime").open(plainDir);
  ee = new EncryptedEngine(EEClient.open(encDir, keyPath), await getEngine("onnxruntime").open(encDir));
});
afterAll(async () => {
  await vi?.close();
  await ee?.close();
  tmp.cleanup();
});

/** Run `engine` recording every onStep call. */
async function recorded(engine: Engine, eos: number[]) {
  const steps: { step: number; ids: number[]; first?: readonly FirstStep[] }[] = [];
  const res = await engine.generate(
    [
      [1, 17, 300, 42],
      [1, 400, 3],
    ],
    {
      maxNewTokens: 5,
      eosTokenIds: eos,
      firstStep: { topK: 3 },
      onStep: (step, ids, first) => steps.push({ step, ids: [...ids], first }),
    },
  );
  return { res, steps };
}

describe("onStep", () => {
  it("reports each step's tokens in order, -1 after a row stops, first steps at step 0", async () => {
    const free = await recorded(vi, []);
    const stopAt = free.res.sequences[1].tokenIds[1];
    for (const eos of [[], [stopAt]]) {
      const { res, steps } = await recorded(vi, eos);
      expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
      res.sequences.forEach((seq, b) => {
        const reported = steps.map((s) => s.ids[b]).filter((t) => t >= 0);
        expect(reported).toEqual(seq.tokenIds);
        expect(steps[0].first?.[b]).toEqual(seq.firstStep);
      });
    }
  });

  it("through the EE client, reports plain ids and first steps", async () => {
    const plain = await recorded(vi, []);
    const enc = await recorded(ee, []);
    expect(enc.steps.map((s) => s.ids)).toEqual(plain.steps.map((s) => s.ids));
    const [p, e] = [plain.steps[0].first?.[0], enc.steps[0].first?.[0]];
    if (p?.kind !== "topk" || e?.kind !== "topk") throw new Error("expected top-k first steps");
    expect(Array.from(e.ids)).toEqual(Array.from(p.ids));
  });
});

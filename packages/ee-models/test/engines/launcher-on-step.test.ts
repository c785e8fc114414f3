/**
 * `onStep` across the child-process launcher: the child sends a step event per decoding step and the
 * parent calls the caller's `onStep` in order, before `generate` resolves — the same sequence (steps,
 * token ids, first steps as typed arrays) as the engine in this process, for llama-tiny.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../../src/build-model.js";
import type { Engine, FirstStep } from "../../src/engines/engine.js";
import { launchEngine } from "../../src/engines/launch.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("launcher-on-step");
const dir = join(tmp.dir, "llama-tiny");
let inProcess: Engine;
let child: Engine;

beforeAll(async () => {
  await buildModel({ preset: "llama-tiny", outDir: dir, seed: 4, warn: () => {} });
  inProcess = await launchEngine("onnxruntime", dir, { threads: 1 }, "in-process");
  child = await launchEngine("onnxruntime", dir, { threads: 1 }, "child-process");
}, 120_000);
afterAll(async () => {
  await inProcess?.close();
  await child?.close();
  tmp.cleanup();
});

/** One recorded onStep call. */
interface Step {
  step: number;
  ids: number[];
  first?: readonly FirstStep[];
  /** Whether generate had already resolved when this step was reported. */
  afterResolve: boolean;
}

/** Generate with `engine`, recording every onStep call. */
async function recorded(engine: Engine, firstStep: "logits" | { topK: number }, eos: number[]) {
  const steps: Step[] = [];
  let resolved = false;
  const res = await engine
    .generate(
      [
        [1, 17, 300, 42],
        [1, 400, 3],
      ],
      {
        maxNewTokens: 6,
        eosTokenIds: eos,
        firstStep,
        onStep: (step, ids, first) => steps.push({ step, ids: [...ids], first, afterResolve: resolved }),
      },
    )
    .then((r) => {
      resolved = true;
      return r;
    });
  return { res, steps };
}

describe("onStep under the child-process launcher", () => {
  it.each<["logits" | { topK: number }]>([["logits"], [{ topK: 5 }]])(
    "delivers the in-process sequence (first step %j), in order, before generate resolves",
    async (firstStep) => {
      const free = await recorded(inProcess, firstStep, []);
      const stopAt = free.res.sequences[1].tokenIds[2];
      for (const eos of [[], [stopAt]]) {
        const want = await recorded(inProcess, firstStep, eos);
        const got = await recorded(child, firstStep, eos);
        expect(want.steps.length).toBeGreaterThan(1);
        expect(got.steps.map((s) => [s.step, s.ids])).toEqual(want.steps.map((s) => [s.step, s.ids]));
        expect(got.steps.every((s) => !s.afterResolve)).toBe(true);
        expect(got.steps.slice(1).every((s) => s.first === undefined)).toBe(true);
        const first = got.steps[0].first;
        if (!first) throw new Error("no first steps at step 0 through the child");
        first.forEach((f, b) => {
          const w = want.steps[0].first?.[b];
          if (f.kind === "logits") expect(f.logits).toBeInstanceOf(Float32Array);
          else {
            expect(f.ids).toBeInstanceOf(Int32Array);
            expect(f.logprobs).toBeInstanceOf(Float32Array);
          }
          expect(f).toEqual(w); // same engine, same build: bit-identical
          expect(f).toEqual(got.res.sequences[b].firstStep);
        });
        expect(got.res.sequences.map((s) => s.tokenIds)).toEqual(want.res.sequences.map((s) => s.tokenIds));
      }
    },
  );

  it("an onStep that throws fails the call with its error, and the engine keeps working", async () => {
    const seen: number[] = [];
    const gaveUp = "caller gave up";
    await expect(
      child.generate([[1, 2, 3]], {
        maxNewTokens: 3,
        onStep: (step) => {
          seen.push(step);
          if (step === 1) throw new Error(gaveUp);
        },
      }),
    ).rejects.toThrow(new RegExp(`^${gaveUp}$`));
    expect(seen).toEqual([0, 1]); // called in this process; not again after it threw
    const again = await child.generate([[1, 2, 3]], { maxNewTokens: 2 });
    expect(again.sequences[0].tokenIds).toHaveLength(2);
  });
});

/**
 * The `control` scheme: an A/A benchmark control. Every secret is the identity, so the "encrypted"
 * weights equal the plain ones bit for bit while the whole EE pipeline (key, client, folder) runs.
 */
import { createRandom, type StateDict } from "ee-core";
import { describe, expect, it } from "vitest";
import { encryptWeights } from "../../src/encrypt/encrypt.js";
import { VOCAB_PERM } from "../../src/encrypt/vocab.js";
import { tinyEncoder, tinyLlama } from "./helpers.js";

function copy(w: StateDict): StateDict {
  return new Map([...w].map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
}

describe("control scheme", () => {
  const cases = [
    ["bert", () => tinyEncoder("bert", "ctl-bert")],
    ["roberta", () => tinyEncoder("roberta", "ctl-roberta")],
    ["llama", () => tinyLlama("ctl-llama")],
  ] as const;
  for (const [arch, make] of cases) {
    it(`${arch}: identity key, weights unchanged bit for bit`, async () => {
      const { cfg, weights } = make();
      const plain = copy(weights);
      const enc = await encryptWeights(cfg, weights, { scheme: "control", rng: createRandom() });
      const pi = enc.key.components.get(VOCAB_PERM)?.tensor.data as Int32Array;
      expect(pi.every((v, i) => v === i)).toBe(true);
      expect([...enc.key.components.keys()]).toEqual([VOCAB_PERM]);
      for (const [name, t] of plain) {
        expect(enc.weights.get(name)?.data, name).toEqual(t.data);
      }
    });
  }

  it("differs from vocab only in drawing the identity", async () => {
    const { cfg, weights } = tinyEncoder("bert", "ctl-vs-vocab");
    const enc = await encryptWeights(cfg, weights, { scheme: "vocab", rng: createRandom() });
    const pi = enc.key.components.get(VOCAB_PERM)?.tensor.data as Int32Array;
    expect(pi.filter((v, i) => v === i).length).toBeLessThan(pi.length / 2);
  });
});

import { createRandom, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { anchorsFromTemplate } from "../../src/attacks/template-anchors.js";
import { encryptCorpus } from "../helpers/synthetic.js";

describe("anchorsFromTemplate", () => {
  const V = 100;
  const rng = createRandom({ seed: 61 });
  const pi = randomPermutation(V, rng);
  const prefix = Int32Array.of(90, 91, 92, 91); // 91 repeats
  const suffix = Int32Array.of(93, 91);
  const docs = Array.from({ length: 20 }, () => {
    const body = Array.from({ length: 5 + rng.int(10) }, () => rng.int(80));
    return Int32Array.from([...prefix, ...body, ...suffix]);
  });
  const enc = encryptCorpus({ name: "victim", docs }, pi);

  it("pairs every distinct template token with its ciphertext", () => {
    const a = anchorsFromTemplate({ description: "t", prefix, suffix }, enc, V);
    expect(Array.from(a.plain).sort()).toEqual([90, 91, 92, 93]);
    for (let k = 0; k < a.plain.length; k++) expect(a.encrypted[k]).toBe(pi[a.plain[k]]);
  });

  it("drops positions where documents disagree", () => {
    const mixed = {
      name: "m",
      docs: enc.docs.map((d, i) => (i % 2 ? d : d.map((t, j) => (j === 2 ? pi[5] : t)))),
    };
    const a = anchorsFromTemplate({ description: "t", prefix, suffix }, mixed, V);
    expect(Array.from(a.plain)).not.toContain(92);
    expect(() => anchorsFromTemplate({ description: "t", prefix, suffix }, enc, V, 0.3)).toThrow(
      /minAgreement/,
    );
  });
});

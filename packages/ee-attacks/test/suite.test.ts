import { createRandom, haarOrthogonal, permuteRows, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { ATTACKS } from "../src/registry.js";
import { renderAttackMarkdown } from "../src/report/markdown.js";
import { recoveryChartData, recoveryChartSpec } from "../src/report/vega.js";
import { runAttackSuite } from "../src/suite.js";
import type { AttackSuiteInput, Matrix } from "../src/types.js";
import {
  encryptCorpus,
  gaussianMatrix,
  markovCorpus,
  randomMarkovChain,
  rotateRows,
} from "./helpers/synthetic.js";

describe("runAttackSuite", () => {
  const V = 200;
  const d = 16;
  const rng = createRandom({ seed: 71 });
  const chain = randomMarkovChain(V, 4, 1, rng);
  const pi = randomPermutation(V, rng);
  const template = { description: "BOS + EOS", prefix: Int32Array.of(0), suffix: Int32Array.of(1) };
  const wrap = (c: ReturnType<typeof markovCorpus>) => ({
    name: c.name,
    docs: c.docs.map((x) => Int32Array.from([0, ...x, 1])),
  });
  const prior = wrap(markovCorpus("prior", chain, 100, 50, rng));
  const observed = encryptCorpus(wrap(markovCorpus("victim", chain, 60, 50, rng)), pi);
  const heldOut = encryptCorpus(wrap(markovCorpus("held-out", chain, 5, 50, rng)), pi);
  const E = gaussianMatrix(V, d, 0.02, rng);
  const W = gaussianMatrix(V, d, 0.02, rng);
  const Q = haarOrthogonal(d, rng);
  const move = (m: Matrix): Matrix => ({ rows: V, cols: d, data: permuteRows(m.data, V, d, pi) });
  const ids = Int32Array.from({ length: 30 }, () => rng.int(V));
  const acts: Matrix = { rows: 30, cols: d, data: new Float32Array(30 * d) };
  const rotE = rotateRows(E, Q);
  for (let i = 0; i < 30; i++) acts.data.set(rotE.data.subarray(ids[i] * d, (ids[i] + 1) * d), i * d);
  const sig = gaussianMatrix(V, 8, 1, rng);
  for (let r = 0; r < V; r++)
    sig.data
      .subarray(r * 8, (r + 1) * 8)
      .sort()
      .reverse();
  const encSig: Matrix = { rows: V, cols: 8, data: permuteRows(sig.data, V, 8, pi) };
  const bos = gaussianMatrix(5, d, 1, rng);
  const input: AttackSuiteInput = {
    architecture: "llama",
    scheme: "full",
    model: "tiny",
    vocabSize: V,
    truePermutation: pi,
    prior,
    observed,
    heldOut,
    template,
    weights: {
      plainEmbedding: E,
      encryptedEmbedding: move(rotE),
      plainLmHead: W,
      encryptedLmHead: move(rotateRows(W, Q)),
    },
    hiddenStates: { corpus: "tiny acts", activations: acts, centered: false, trueTokenIds: ids },
    oracle: { description: "sorted signatures", plainSignatures: sig, encryptedSignatures: encSig },
    residualStates: {
      description: "synthetic residual states",
      layers: [0, 1, 2, 3, 4].map((layer) => {
        const plain = gaussianMatrix(V, d, 1, rng);
        return { layer, plain, encrypted: move(rotateRows(plain, Q)) };
      }),
      bosPlain: bos,
      bosEncrypted: rotateRows(bos, Q),
    },
  };

  it("runs every registered attack, sweeps traffic attacks and scores them", async () => {
    const report = await runAttackSuite(input, {
      seed: 1,
      observedTokenSweep: [500, 1_000_000],
      randomSearch: { samples: 10 },
      genetic: { population: 6, generations: 3, mutationRate: 0.02 },
    });
    expect(report.skipped).toEqual([]);
    const swept = ATTACKS.filter((a) => a.sweep).length;
    expect(report.rows.length).toBe(2 * swept + (ATTACKS.length - swept));
    const total = observed.docs.reduce((n, x) => n + x.length, 0);
    expect(
      new Set(report.rows.filter((r) => r.family === "ciphertext-only").map((r) => r.observedTokens)),
    ).toEqual(new Set([500, total]));
    const row = (name: string) => report.rows.filter((r) => r.attack === name).at(-1);
    expect(row("weights-procrustes")?.top1Pct).toBe(100);
    expect(row("hidden-state-procrustes-basis")?.top1Pct).toBe(100);
    expect(row("logits-oracle")?.top1Pct).toBe(100);
    expect(row("known-plaintext+frequency")?.note).toMatch(/^2 template anchors/);
    for (const r of report.rows) {
      expect(r.top1Pct).toBeGreaterThanOrEqual(0);
      expect(r.top10Pct).toBeGreaterThanOrEqual(r.top1Pct);
      expect(r.wallMs).toBeGreaterThanOrEqual(0);
    }
    const md = renderAttackMarkdown([report]);
    expect(md).toContain("| model | scheme | threat model | attack |");
    expect(md.split("\n").filter((l) => l.startsWith("| tiny")).length).toBe(report.rows.length);
    const data = recoveryChartData([report]);
    expect(data.length).toBe(2 * swept);
    expect((recoveryChartSpec(data).data as { values: unknown[] }).values).toBe(data);
  });

  it("skips attacks without their inputs and rejects bad input", async () => {
    const report = await runAttackSuite(
      { ...input, weights: undefined, hiddenStates: undefined },
      { attacks: ["frequency-rank", "weights-exact-rows"], observedTokenSweep: [100] },
    );
    expect(report.rows.map((r) => r.attack)).toEqual(["frequency-rank"]);
    expect(report.skipped).toEqual([{ attack: "weights-exact-rows", reason: "no weights" }]);
    await expect(runAttackSuite({ ...input, truePermutation: pi.subarray(0, 5) })).rejects.toThrow(
      /truePermutation/,
    );
    await expect(runAttackSuite(input, { attacks: ["nope"] })).rejects.toThrow(/unknown attack "nope"/);
  });
});

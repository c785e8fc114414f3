import { createRandom, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { frequencyAttack } from "../../src/attacks/frequency.js";
import { geneticAttack } from "../../src/attacks/genetic.js";
import { hillClimbAttack } from "../../src/attacks/hill-climb.js";
import { randomSearchAttack } from "../../src/attacks/random-search.js";
import { assignmentLogLikelihood, swapDelta } from "../../src/lm/assignment-score.js";
import { buildBigramModel } from "../../src/lm/bigram-model.js";
import { observedStats } from "../../src/lm/observed-stats.js";
import { distinctIds, scoreRanking } from "../../src/metrics.js";
import { encryptCorpus, markovCorpus, randomMarkovChain } from "../helpers/synthetic.js";

describe("bigram hill climb and baselines on a bigram-structured stream", () => {
  const V = 300;
  const rng = createRandom({ seed: 21 });
  const chain = randomMarkovChain(V, 4, 1, rng);
  const perm = randomPermutation(V, rng);
  const prior = markovCorpus("prior", chain, 400, 100, rng);
  const observed = encryptCorpus(markovCorpus("victim", chain, 200, 100, rng), perm);
  const model = buildBigramModel(prior, V, 0.75);
  const stats = observedStats(observed, V);
  const occurring = distinctIds(observed, V);
  const freq = frequencyAttack(model.unigram, stats.unigram);

  it("swapDelta equals the change of the full log-likelihood", () => {
    const d = freq.decrypt.slice();
    const g = createRandom({ seed: 3 });
    for (let t = 0; t < 30; t++) {
      const a = stats.symbols[g.int(stats.symbols.length)];
      const z = t % 3 === 0 ? g.int(V) : stats.symbols[g.int(stats.symbols.length)];
      if (a === z) continue;
      const before = assignmentLogLikelihood(model, stats, d);
      const delta = swapDelta(model, stats, d, a, z);
      [d[a], d[z]] = [d[z], d[a]];
      expect(delta).toBeCloseTo(assignmentLogLikelihood(model, stats, d) - before, 6);
    }
  });

  it("improves on the frequency solution", () => {
    const hc = hillClimbAttack(
      { model, stats, start: freq.decrypt },
      { restarts: 2, maxPasses: 10, proposalsPerSymbol: 16, perturbSwaps: 20, discount: 0.75 },
      createRandom({ seed: 4 }),
    );
    const f = scoreRanking(freq.ranking, perm, occurring);
    const h = scoreRanking(hc.ranking, perm, occurring);
    expect(hc.logLikelihood).toBeGreaterThan(hc.startLogLikelihood);
    expect(h.top1Pct).toBeGreaterThan(f.top1Pct + 20);
    expect(new Set(hc.decrypt).size).toBe(V);
  });

  it("keeps frozen symbols fixed", () => {
    const frozen = new Uint8Array(V);
    const e = stats.symbols[0];
    frozen[e] = 1;
    const start = freq.decrypt.slice();
    const hc = hillClimbAttack(
      { model, stats, start, frozen },
      { restarts: 1, maxPasses: 3, proposalsPerSymbol: 8, perturbSwaps: 0, discount: 0.75 },
      createRandom({ seed: 5 }),
    );
    expect(hc.decrypt[e]).toBe(start[e]);
  });

  it("random sampling stays near chance; the genetic search never loses its best (elitism)", () => {
    const rs = randomSearchAttack(model, stats, { samples: 50 }, createRandom({ seed: 6 }));
    expect(scoreRanking(rs.ranking, perm, occurring).top1Pct).toBeLessThan(5); // chance 1/300 ≈ 0.33 %
    const g0 = geneticAttack(
      model,
      stats,
      { population: 10, generations: 0, mutationRate: 0.02 },
      createRandom({ seed: 7 }),
    );
    const g1 = geneticAttack(
      model,
      stats,
      { population: 10, generations: 15, mutationRate: 0.02 },
      createRandom({ seed: 7 }),
    );
    expect(g1.logLikelihood).toBeGreaterThanOrEqual(g0.logLikelihood);
    const used = Array.from(stats.symbols, (s) => g1.decrypt[s]);
    expect(new Set(used).size).toBe(used.length); // injective
  });
});

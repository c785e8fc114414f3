import { createRandom, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import { frequencyAttack } from "../../src/attacks/frequency.js";
import { unigramCounts } from "../../src/lm/unigram.js";
import { distinctIds, scoreRanking } from "../../src/metrics.js";
import { encryptCorpus, zipfCorpus } from "../helpers/synthetic.js";

describe("frequencyAttack", () => {
  const V = 500;
  const rng = createRandom({ seed: 11 });
  const perm = randomPermutation(V, rng);
  const prior = zipfCorpus("prior", V, 200, 500, 1.2, rng);
  const observed = encryptCorpus(zipfCorpus("victim", V, 100, 500, 1.2, rng), perm);

  it("recovers the frequent part of a Zipf stream far above chance", () => {
    const guess = frequencyAttack(unigramCounts(prior, V), unigramCounts(observed, V));
    const all = scoreRanking(guess.ranking, perm, distinctIds(observed, V));
    const head = scoreRanking(
      guess.ranking,
      perm,
      Int32Array.from({ length: 10 }, (_, t) => perm[t]),
    );
    expect(head.top1Pct).toBeGreaterThanOrEqual(80); // the 10 most frequent plain tokens
    expect(all.top1Pct).toBeGreaterThan(20 * (100 / V));
    expect(all.top10Pct).toBeGreaterThan(all.top1Pct);
  });

  it("returns a permutation and keeps anchors fixed", () => {
    const anchors = { plain: Int32Array.of(400, 401), encrypted: Int32Array.of(perm[400], perm[401]) };
    const guess = frequencyAttack(unigramCounts(prior, V), unigramCounts(observed, V), anchors);
    expect(new Set(guess.decrypt).size).toBe(V);
    expect(guess.decrypt[perm[400]]).toBe(400);
    expect(guess.ranking.ids[perm[401] * 10]).toBe(401);
    expect(() => frequencyAttack(new Float64Array(3), new Float64Array(4))).toThrow(/observedCounts/);
  });
});

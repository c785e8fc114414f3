import { createRandom, invertPermutation, randomPermutation } from "ee-core";
import { describe, expect, it } from "vitest";
import {
  decryptionOf,
  distinctIds,
  heldOutDecryption,
  scoreObservations,
  scoreRanking,
} from "../src/metrics.js";
import {
  emptyObservationRanking,
  emptyRanking,
  pushCandidate,
  rankingFromAssignment,
} from "../src/ranking.js";
import { encryptCorpus, zipfCorpus } from "./helpers/synthetic.js";

describe("metrics", () => {
  const V = 1000;
  const rng = createRandom({ seed: 1 });
  const perm = randomPermutation(V, rng);
  const sigma = invertPermutation(perm);

  it("the true decryption scores 100 % top-1 and top-10, and decrypts every held-out token", () => {
    const r = rankingFromAssignment(sigma, 10);
    const s = scoreRanking(r, perm);
    expect(s).toEqual({ top1Pct: 100, top10Pct: 100, scoredIds: V });
    const held = encryptCorpus(zipfCorpus("h", V, 5, 100, 1, rng), perm);
    expect(heldOutDecryption(r, perm, held)).toEqual({ pct: 100, tokens: 500 });
  });

  it("a random guess scores near chance (top-1 ≤ 1 %, top-10 ≤ 3 % over 1000 ids; chance 0.1 % / 1 %)", () => {
    const guess = emptyRanking(V, 10);
    const g = createRandom({ seed: 2 });
    for (let e = 0; e < V; e++) while (guess.ids[e * 10 + 9] === -1) pushCandidate(guess, e, g.int(V));
    const s = scoreRanking(guess, perm);
    expect(s.top1Pct).toBeLessThanOrEqual(1);
    expect(s.top10Pct).toBeLessThanOrEqual(3);
  });

  it("scores only the given ids, and counts a truth at rank 5 for top-10 but not top-1", () => {
    const r = emptyRanking(V, 10);
    const wrong = (sigma[0] + 1) % V;
    for (let k = 0; k < 4; k++)
      pushCandidate(r, 0, (wrong + k) % V === sigma[0] ? (wrong + 7) % V : (wrong + k) % V);
    pushCandidate(r, 0, sigma[0]);
    pushCandidate(r, 1, sigma[1]);
    const s = scoreRanking(r, perm, Int32Array.of(0, 1));
    expect(s).toEqual({ top1Pct: 50, top10Pct: 100, scoredIds: 2 });
  });

  it("decryptionOf rejects a non-permutation; distinctIds lists occurring ids", () => {
    expect(() => decryptionOf(Int32Array.of(0, 0, 1))).toThrow(/not a permutation/);
    expect(
      Array.from(distinctIds({ name: "c", docs: [Int32Array.of(3, 1, 3), Int32Array.of(1, 4)] }, 5)),
    ).toEqual([1, 3, 4]);
    expect(() => distinctIds({ name: "c", docs: [Int32Array.of(9)] }, 5)).toThrow(/outside/);
  });

  it("scores observation rankings", () => {
    const r = emptyObservationRanking(3, 2);
    pushCandidate(r, 0, 7);
    pushCandidate(r, 1, 1);
    pushCandidate(r, 1, 8);
    const s = scoreObservations(r, Int32Array.of(7, 8, 9));
    expect(s.top1Pct).toBeCloseTo(100 / 3, 10);
    expect(s.top10Pct).toBeCloseTo(200 / 3, 10);
  });
});

/**
 * Held-out scoring: the template is excluded from the user's text and reported apart; occurrence and
 * type shares differ as they must; bands follow the frequency ranks of the victim's traffic.
 */
import { describe, expect, it } from "vitest";
import { heldOutBreakdown, splitHeldOut } from "../src/held-out.js";
import type { CandidateRanking } from "../src/types.js";

const V = 2000;
/** π = identity shifted by one: plain t travels as (t + 1) mod V. */
const pi = Int32Array.from({ length: V }, (_, t) => (t + 1) % V);
const enc = (plain: number[]) => Int32Array.from(plain, (t) => pi[t]);

/** A ranking whose first guess is right exactly for the plain ids in `known`. */
function rankingKnowing(known: Set<number>): CandidateRanking {
  const ids = new Int32Array(V).fill(-1);
  for (let t = 0; t < V; t++) if (known.has(t)) ids[pi[t]] = t;
  return { vocabSize: V, depth: 1, ids };
}

describe("held-out breakdown", () => {
  // template [0, 1] … [2]; user text: token 10 ×4 (frequent), tokens 1500, 1600 once each
  const heldOut = { name: "held", docs: [enc([0, 1, 10, 10, 1500, 2]), enc([0, 1, 10, 10, 1600, 2])] };
  const template = { description: "t", prefix: Int32Array.of(0, 1), suffix: Int32Array.of(2) };
  // ranks: 10 is the most frequent; 1500 ranks 299th (100–1k); 1600 is never seen (rest)
  const traffic: number[] = [];
  for (let r = 0; r < 300; r++) for (let c = 0; c < 300 - r; c++) traffic.push(r === 0 ? 10 : 100 + r);
  traffic.push(...Array(2).fill(1500));
  const split = splitHeldOut({
    truePermutation: pi,
    heldOut,
    template,
    rankCorpus: { name: "traffic", docs: [enc(traffic)] },
  });

  it("keeps template tokens out of the user's text", () => {
    expect(split.user.length).toBe(6);
    expect(split.template.length).toBe(6);
  });

  it("counts occurrences and types separately", () => {
    const b = heldOutBreakdown(rankingKnowing(new Set([0, 1, 2, 10])), split);
    expect(b.template.occurrencePct).toBe(100);
    expect(b.user.occurrencePct).toBeCloseTo(400 / 6, 10); // 4 of 6 user tokens are '10'
    expect(b.user.typePct).toBeCloseTo(100 / 3, 10); // 1 of 3 types
    expect(b.user.types).toBe(3);
  });

  it("puts each user token in the band of its rank in the traffic", () => {
    const b = heldOutBreakdown(rankingKnowing(new Set([1500])), split);
    const band = Object.fromEntries(b.bands.map((x) => [x.band, x.share]));
    expect(band["top-100"].tokens).toBe(4);
    expect(band["top-100"].occurrencePct).toBe(0);
    expect(band["100-1k"].tokens).toBe(1);
    expect(band["100-1k"].occurrencePct).toBe(100);
    expect(band.rest.tokens).toBe(1); // 1600, never seen in the traffic
    expect(band.rest.occurrencePct).toBe(0);
  });
});

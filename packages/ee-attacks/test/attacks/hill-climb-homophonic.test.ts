import { createRandom, type RandomSource } from "ee-core";
import { describe, expect, it } from "vitest";
import { homophoneFrequencyAttack, priorSlotOrder } from "../../src/attacks/frequency-homophonic.js";
import { homophoneClimbAttack, homophoneObjective } from "../../src/attacks/hill-climb-homophonic.js";
import { buildBigramModel } from "../../src/lm/bigram-model.js";
import { observedStats } from "../../src/lm/observed-stats.js";
import { bigramReassignScorer, trigramReassignScorer } from "../../src/lm/reassign-score.js";
import { buildTrigramModel } from "../../src/lm/trigram-model.js";
import { observedTrigrams } from "../../src/lm/trigram-score.js";
import { unigramCounts } from "../../src/lm/unigram.js";
import { topGuess } from "../../src/ranking.js";
import type { TokenCorpus } from "../../src/types.js";
import { markovCorpus, randomMarkovChain } from "../helpers/synthetic.js";

const OPTS = { restarts: 2, maxPasses: 10, proposalsPerSymbol: 16, perturbSwaps: 10, discount: 0.75 };

/** Copies per token: each of `extra` ids goes to the token with the highest count per copy. */
function allocate(counts: Float64Array, extra: number): Int32Array {
  const k = new Int32Array(counts.length).fill(1);
  for (let n = 0; n < extra; n++) {
    let best = 0;
    for (let t = 1; t < counts.length; t++) if (counts[t] / k[t] > counts[best] / k[best]) best = t;
    k[best]++;
  }
  return k;
}

/** A homophonic key: copies of token t get random distinct encrypted ids; each occurrence draws one. */
function homophonicEncrypt(c: TokenCorpus, copies: Int32Array, rng: RandomSource) {
  const Vp = copies.reduce((a, b) => a + b, 0);
  const ids = Array.from({ length: Vp }, (_, i) => i);
  for (let i = Vp - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const idsOf: number[][] = [];
  const trueDecryption = new Int32Array(Vp);
  let n = 0;
  copies.forEach((k, t) => {
    idsOf.push(ids.slice(n, n + k));
    for (const e of idsOf[t]) trueDecryption[e] = t;
    n += k;
  });
  const observed = {
    name: "victim (homophonic)",
    docs: c.docs.map((d) => d.map((t) => idsOf[t][rng.int(copies[t])])),
  };
  return { Vp, observed, trueDecryption };
}

/** Share of observed occurrences whose decryption is right (percent). */
function byOccurrence(observed: TokenCorpus, decrypt: Int32Array, truth: Int32Array): number {
  let ok = 0;
  let all = 0;
  for (const d of observed.docs)
    for (const e of d) {
      all++;
      if (decrypt[e] === truth[e]) ok++;
    }
  return (100 * ok) / all;
}

function setup(seed: number) {
  const V = 80;
  const rng = createRandom({ seed });
  // strong context: few successors per token, a Zipf head so frequent tokens get copies
  const chain = randomMarkovChain(V, 3, 1, rng);
  const prior = markovCorpus("prior", chain, 200, 60, rng);
  const victim = markovCorpus("victim", chain, 200, 60, rng);
  const priorCounts = unigramCounts(prior, V);
  const copies = allocate(unigramCounts(victim, V), 40);
  const enc = homophonicEncrypt(victim, copies, rng);
  const model = buildBigramModel(prior, V, 0.75);
  const stats = observedStats(enc.observed, enc.Vp);
  const attackerCopies = allocate(priorCounts, enc.Vp - V);
  const freq = homophoneFrequencyAttack(priorCounts, stats.unigram, attackerCopies);
  return { V, rng, prior, model, stats, enc, freq, slotOrder: priorSlotOrder(priorCounts, attackerCopies) };
}

describe("homophone-aware hill climb", () => {
  it("re-assignment deltas equal the change of the full bigram and trigram scores", () => {
    const s = setup(3);
    const tri = buildTrigramModel(s.prior, s.model, 0.75);
    const scorers = [
      bigramReassignScorer(s.model, s.stats),
      trigramReassignScorer(tri, observedTrigrams(s.enc.observed, s.enc.Vp)),
    ];
    const d = topGuess(s.freq);
    for (const sc of scorers)
      for (let n = 0; n < 20; n++) {
        const a = s.stats.symbols[s.rng.int(s.stats.symbols.length)];
        const q = s.rng.int(s.V);
        const before = sc.logLikelihood(d);
        const delta = sc.reassignDelta(d, a, q);
        const moved = d.slice();
        moved[a] = q;
        // tolerance: float64 sums of ~10⁴ log terms
        expect(delta).toBeCloseTo(sc.logLikelihood(moved) - before, 6);
      }
  });

  it("raises the LM score of its start and recovers more occurrences than homophone-aware frequency rank", () => {
    const s = setup(7);
    const tri = buildTrigramModel(s.prior, s.model, 0.75);
    const start = topGuess(s.freq);
    const freqPct = byOccurrence(s.enc.observed, start, s.enc.trueDecryption);
    for (const scorer of [
      bigramReassignScorer(s.model, s.stats),
      trigramReassignScorer(tri, observedTrigrams(s.enc.observed, s.enc.Vp)),
    ]) {
      const hc = homophoneClimbAttack(
        {
          model: s.model,
          stats: s.stats,
          start,
          slotOrder: s.slotOrder,
          scorer,
          fallback: s.freq,
          swapShare: 0,
        },
        OPTS,
        createRandom({ seed: 11 }),
      );
      expect(hc.logLikelihood).toBeGreaterThanOrEqual(hc.startLogLikelihood);
      expect(hc.startLogLikelihood).toBeCloseTo(homophoneObjective(scorer, s.stats, start, s.V), 6);
      expect(hc.logLikelihood).toBeCloseTo(homophoneObjective(scorer, s.stats, hc.decrypt, s.V), 4);
      expect(topGuess(hc.ranking)[s.stats.symbols[0]]).toBe(hc.decrypt[s.stats.symbols[0]]);
      const climbPct = byOccurrence(s.enc.observed, hc.decrypt, s.enc.trueDecryption);
      expect(climbPct).toBeGreaterThan(freqPct);
    }
  });

  it("refuses a start of the wrong length, a start that is not a plain id, and a bad option", () => {
    const s = setup(5);
    const scorer = bigramReassignScorer(s.model, s.stats);
    const base = { model: s.model, stats: s.stats, slotOrder: s.slotOrder, scorer, swapShare: 0.3 };
    const rng = createRandom({ seed: 1 });
    expect(() => homophoneClimbAttack({ ...base, start: new Int32Array(3) }, OPTS, rng)).toThrow(
      /start has length 3/,
    );
    const bad = topGuess(s.freq);
    bad[s.stats.symbols[0]] = -1;
    expect(() => homophoneClimbAttack({ ...base, start: bad }, OPTS, rng)).toThrow(/is not a plain id/);
    expect(() =>
      homophoneClimbAttack({ ...base, start: topGuess(s.freq) }, { ...OPTS, restarts: Number.NaN }, rng),
    ).toThrow(/option restarts/);
    expect(() =>
      homophoneClimbAttack({ ...base, start: topGuess(s.freq), slotOrder: new Int32Array(0) }, OPTS, rng),
    ).toThrow(/slotOrder is empty/);
    expect(() => homophoneClimbAttack({ ...base, start: topGuess(s.freq), swapShare: 2 }, OPTS, rng)).toThrow(
      /swapShare must be in \[0, 1\]/,
    );
  });
});

/**
 * Baseline (paper §3.3.2, "genetic algorithms … breeding permutations"): a population of random
 * decryptions of the observed symbols evolves by tournament selection, uniform crossover with
 * repair (a plain id may be used once), mutation (exchange two symbols' plain ids, or give one an
 * unused id) and elitism. Fitness is the bigram log-likelihood S(σ).
 */
import type { RandomSource } from "ee-core";
import { assignmentLogLikelihood } from "../lm/assignment-score.js";
import type { BigramModel } from "../lm/bigram-model.js";
import type { ObservedStats } from "../lm/observed-stats.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { GeneticOptions, SearchResult } from "../types.js";
import { drawAssignment, priorSupport } from "./random-search.js";

/** Default genetic-search settings. */
export const DEFAULT_GENETIC: GeneticOptions = { population: 24, generations: 40, mutationRate: 0.02 };

/** Individuals carried over unchanged each generation. */
const ELITE = 2;
/** Tournament size of parent selection. */
const TOURNAMENT = 3;

/** Evolve decryptions of the observed symbols; rank the genes of the final population's best. */
export function geneticAttack(
  model: BigramModel,
  stats: ObservedStats,
  opts: GeneticOptions,
  rng: RandomSource,
  depth = 10,
): SearchResult {
  if (!Number.isSafeInteger(opts.population) || opts.population < ELITE + 1)
    throw new Error(`geneticAttack: population must be an integer ≥ ${ELITE + 1}, got ${opts.population}`);
  if (!Number.isSafeInteger(opts.generations) || opts.generations < 0)
    throw new Error(`geneticAttack: generations must be a non-negative integer, got ${opts.generations}`);
  if (!(opts.mutationRate >= 0 && opts.mutationRate <= 1))
    throw new Error(`geneticAttack: mutationRate must be in [0, 1], got ${opts.mutationRate}`);
  const V = model.vocabSize;
  const symbols = stats.symbols;
  const n = symbols.length;
  const support = priorSupport(model.unigram, n);
  const scratch = support.slice();
  const full = new Int32Array(V).fill(-1);
  const fitness = (genes: Int32Array): number => {
    for (let k = 0; k < n; k++) full[symbols[k]] = genes[k];
    return assignmentLogLikelihood(model, stats, full);
  };
  const randomGenes = (): Int32Array => {
    drawAssignment(symbols, scratch, full, rng);
    return Int32Array.from(symbols, (s) => full[s]);
  };
  let pop = Array.from({ length: opts.population }, () => randomGenes()).map((g) => ({
    genes: g,
    fit: fitness(g),
  }));
  let evaluations = pop.length;
  // `usedStamp[p] === stamp` ⇔ plain id p is taken in the child being built
  const usedStamp = new Int32Array(V);
  let stamp = 0;
  const pick = (): Int32Array => {
    let best = pop[rng.int(pop.length)];
    for (let t = 1; t < TOURNAMENT; t++) {
      const c = pop[rng.int(pop.length)];
      if (c.fit > best.fit) best = c;
    }
    return best.genes;
  };
  const unusedPlain = (): number => {
    for (;;) {
      const p = support[rng.int(support.length)];
      if (usedStamp[p] !== stamp) return p;
    }
  };
  for (let gen = 0; gen < opts.generations; gen++) {
    pop.sort((x, y) => y.fit - x.fit);
    const next = pop.slice(0, ELITE);
    while (next.length < opts.population) {
      const ma = pick();
      const pa = pick();
      const child = new Int32Array(n).fill(-1);
      stamp++;
      // uniform crossover; a gene whose plain id is taken tries the other parent, else waits for repair
      for (let k = 0; k < n; k++) {
        const first = rng.float() < 0.5 ? ma[k] : pa[k];
        const second = first === ma[k] ? pa[k] : ma[k];
        const g = usedStamp[first] !== stamp ? first : usedStamp[second] !== stamp ? second : -1;
        if (g >= 0) {
          child[k] = g;
          usedStamp[g] = stamp;
        }
      }
      for (let k = 0; k < n; k++) {
        if (child[k] === -1) {
          child[k] = unusedPlain();
          usedStamp[child[k]] = stamp;
        }
      }
      // mutation
      for (let k = 0; k < n; k++) {
        if (rng.float() >= opts.mutationRate) continue;
        if (rng.float() < 0.5 && n > 1) {
          const j = rng.int(n);
          const t = child[k];
          child[k] = child[j];
          child[j] = t;
        } else {
          const p = unusedPlain();
          usedStamp[child[k]] = 0;
          child[k] = p;
          usedStamp[p] = stamp;
        }
      }
      next.push({ genes: child, fit: fitness(child) });
      evaluations++;
    }
    pop = next;
  }
  pop.sort((x, y) => y.fit - x.fit);
  const decrypt = new Int32Array(V).fill(-1);
  for (let k = 0; k < n; k++) decrypt[symbols[k]] = pop[0].genes[k];
  const ranking = emptyRanking(V, depth);
  for (const ind of pop.slice(0, depth))
    for (let k = 0; k < n; k++) pushCandidate(ranking, symbols[k], ind.genes[k]);
  return { decrypt, ranking, logLikelihood: pop[0].fit, evaluations };
}

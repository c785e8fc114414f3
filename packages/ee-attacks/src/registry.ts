/**
 * The registered attacks: one entry per attack, run by `runAttackSuite`. An entry says its threat
 * model, whether it is swept over the number of observed tokens, what input it needs, and how to run.
 * Adding an attack touches this table only.
 */

import type { RandomSource } from "ee-core";
import { frequencyAttack } from "./attacks/frequency.js";
import { homophoneFrequencyAttack, priorSlotOrder } from "./attacks/frequency-homophonic.js";
import { geneticAttack } from "./attacks/genetic.js";
import { hiddenStateInversion } from "./attacks/hidden-state.js";
import { hillClimbAttack } from "./attacks/hill-climb.js";
import { homophoneClimbAttack } from "./attacks/hill-climb-homophonic.js";
import { logitsOracleMatch } from "./attacks/logits-oracle.js";
import { randomSearchAttack } from "./attacks/random-search.js";
import { residualMatch } from "./attacks/residual-match.js";
import { anchorsFromTemplate } from "./attacks/template-anchors.js";
import { exactRowMatch } from "./attacks/weights-exact.js";
import { DEFAULT_GRAM_MATCH, gramAnchorMatch } from "./attacks/weights-gram.js";
import { procrustesMatch } from "./attacks/weights-procrustes.js";
import { sortedValueMatch } from "./attacks/weights-sorted.js";
import type { AttackContext, AttackOutcome } from "./context.js";
import { type BigramModel, buildBigramModel } from "./lm/bigram-model.js";
import { type ObservedStats, observedStats } from "./lm/observed-stats.js";
import { bigramReassignScorer, type ReassignScorer, trigramReassignScorer } from "./lm/reassign-score.js";
import { buildTrigramModel } from "./lm/trigram-model.js";
import { observedTrigrams, trigramScorer } from "./lm/trigram-score.js";
import { unigramCounts } from "./lm/unigram.js";
import { encryptedVocabSize } from "./metrics.js";
import { topGuess } from "./ranking.js";
import type {
  AttackFamily,
  AttackSuiteInput,
  GramMatchResult,
  ProcrustesMatchResult,
  TokenCorpus,
} from "./types.js";

/** One registered attack. */
export interface AttackEntry {
  /** Unique name (used in `AttackSuiteOptions.attacks` and in the report). */
  name: string;
  /** Threat model. */
  family: AttackFamily;
  /** True when the attack is run once per observed-token sweep point. */
  sweep: boolean;
  /** Why the attack cannot run on `input`, or null when it can. */
  missing(input: AttackSuiteInput): string | null;
  /** True when it also runs on homophonic ids (V' > V encrypted ids, `input.homophonic`). */
  homophonic?: boolean;
  /** Run it. */
  run(ctx: AttackContext): AttackOutcome;
}

const needTraffic = (i: AttackSuiteInput): string | null =>
  i.priorKind === "none"
    ? "the attacker has no prior text (prior: none)"
    : !i.prior
      ? "no prior corpus"
      : !i.observed
        ? "no observed traffic"
        : null;
const needTemplate = (i: AttackSuiteInput): string | null =>
  needTraffic(i) ?? (!i.template ? "no known template" : null);
const needWeights = (i: AttackSuiteInput): string | null => (!i.weights ? "no weights" : null);
const needHidden = (i: AttackSuiteInput): string | null => (!i.hiddenStates ? "no hidden states" : null);
const needOracle = (i: AttackSuiteInput): string | null => (!i.oracle ? "no oracle queries" : null);

/** The traffic of this sweep point (present for swept attacks). */
function traffic(ctx: AttackContext): { prior: TokenCorpus; observed: TokenCorpus } {
  if (!ctx.input.prior || !ctx.observed) throw new Error("attack needs input.prior and observed traffic");
  return { prior: ctx.input.prior, observed: ctx.observed };
}

/** Plain-id counts `[V]` of the attacker's prior text, memoised (with the cost of computing them). */
function priorUnigram(ctx: AttackContext): { value: Float64Array; ms: number } {
  return ctx.memo.get("prior-unigram", () => unigramCounts(traffic(ctx).prior, ctx.input.vocabSize));
}

/** Prior counts, bigram model and observed statistics, memoised. */
function lmInputs(ctx: AttackContext): {
  model: BigramModel;
  stats: ObservedStats;
  priorCounts: Float64Array;
  ms: number;
} {
  const { prior, observed } = traffic(ctx);
  const V = ctx.input.vocabSize;
  const model = ctx.memo.get(`bigram:${ctx.opts.hillClimb.discount}`, () =>
    buildBigramModel(prior, V, ctx.opts.hillClimb.discount),
  );
  const counts = priorUnigram(ctx);
  const stats = ctx.memo.get(`observed:${observed.name}`, () => observedStats(observed, V));
  return {
    model: model.value,
    stats: stats.value,
    priorCounts: counts.value,
    ms: model.ms + counts.ms + stats.ms,
  };
}

function templateAnchors(ctx: AttackContext) {
  const { observed } = traffic(ctx);
  const t = ctx.input.template;
  if (!t) throw new Error("attack needs input.template");
  return anchorsFromTemplate(t, observed, encryptedVocabSize(ctx.input));
}

function gram(ctx: AttackContext): { value: GramMatchResult; ms: number } {
  const w = ctx.input.weights;
  if (!w) throw new Error("attack needs input.weights");
  return ctx.memo.get("gram", () => gramAnchorMatch(w, DEFAULT_GRAM_MATCH));
}

function procrustes(ctx: AttackContext): { value: ProcrustesMatchResult | string; ms: number } {
  const w = ctx.input.weights;
  if (!w) throw new Error("attack needs input.weights");
  const g = gram(ctx);
  const p = ctx.memo.get("procrustes", () => {
    try {
      return procrustesMatch(w, g.value, ctx.rng.derive("procrustes"));
    } catch (e) {
      return (e as Error).message;
    }
  });
  return { value: p.value, ms: p.ms + g.ms };
}

const priorName = (ctx: AttackContext): string => ctx.input.prior?.name ?? "none";

/** Observed encrypted-id counts `[V']` of this sweep point. */
const observedCounts = (ctx: AttackContext): Float64Array =>
  unigramCounts(traffic(ctx).observed, encryptedVocabSize(ctx.input));

/** The homophone-aware attacker's k_t: the scheme's public rule applied to its prior, budget V' − V. */
function estimatedCopies(ctx: AttackContext, priorCounts: Float64Array): Int32Array {
  const h = ctx.input.homophonic;
  if (!h) throw new Error("attack needs input.homophonic");
  return ctx.memo.get("homophone-copies", () =>
    h.allocate(priorCounts, h.trueDecryption.length - ctx.input.vocabSize),
  ).value;
}

/**
 * The homophone-aware LM hill climb (bigram or trigram loss): from the homophone-aware frequency
 * solution over the V' encrypted ids (without homophonic ids: V' = V, one slot per token).
 */
function homophoneClimb(ctx: AttackContext, order: 2 | 3): AttackOutcome {
  const { prior, observed } = traffic(ctx);
  const V = ctx.input.vocabSize;
  const Vp = encryptedVocabSize(ctx.input);
  const D = ctx.opts.hillClimb.discount;
  const bi = ctx.memo.get(`bigram:${D}`, () => buildBigramModel(prior, V, D));
  const counts = priorUnigram(ctx);
  const stats = ctx.memo.get(`observed-v':${observed.name}`, () => observedStats(observed, Vp));
  const copies = ctx.input.homophonic ? estimatedCopies(ctx, counts.value) : null;
  const freq = homophoneFrequencyAttack(counts.value, stats.value.unigram, copies);
  let ms = bi.ms + counts.ms + stats.ms;
  const slotOrder = priorSlotOrder(counts.value, copies);
  // one id per token: mostly swaps (keep the map one-to-one); homophonic ids: re-assignments only
  const swapShare = copies ? 0 : 0.3;
  const climb = (start: Int32Array, scorer: ReassignScorer, rng: RandomSource) =>
    homophoneClimbAttack(
      { model: bi.value, stats: stats.value, start, slotOrder, scorer, fallback: freq, swapShare },
      ctx.opts.hillClimb,
      rng,
    );
  const biScorer = bigramReassignScorer(bi.value, stats.value);
  let hc = climb(topGuess(freq), biScorer, order === 3 ? ctx.rng.derive("bigram-start") : ctx.rng);
  let biMoves = "";
  if (order === 3) {
    // as hill-climb-trigram: start where the bigram climb ends, then climb the trigram loss
    const tri = ctx.memo.get(`trigram:${D}`, () => buildTrigramModel(prior, bi.value, D));
    const obs = ctx.memo.get(`observed-trigrams-v':${observed.name}`, () => observedTrigrams(observed, Vp));
    biMoves = `bigram climb first (${hc.swapsAccepted} moves), then `;
    hc = climb(hc.decrypt, trigramReassignScorer(tri.value, obs.value), ctx.rng);
    ms += tri.ms + obs.ms;
  }
  const gain = hc.logLikelihood - hc.startLogLikelihood;
  return {
    ranking: hc.ranking,
    upstreamMs: ms,
    prior: priorName(ctx),
    note: `${order === 3 ? `interpolated trigram (D=${D})` : "bigram"} LM, ${copies ? "re-assign one id" : "re-assign one id (70 %), swap two (30 %)"} from the homophone-aware frequency solution; ${biMoves}${ctx.opts.hillClimb.restarts} restarts; ${hc.swapsAccepted} moves, ΔlogL=${gain.toFixed(0)} nats`,
  };
}

/** The registry. */
const TABLE: readonly AttackEntry[] = [
  {
    name: "frequency-rank",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    homophonic: true,
    run(ctx) {
      const counts = priorUnigram(ctx);
      const ranking = ctx.input.homophonic
        ? homophoneFrequencyAttack(counts.value, observedCounts(ctx), null)
        : frequencyAttack(counts.value, observedCounts(ctx)).ranking;
      return {
        ranking,
        upstreamMs: counts.ms,
        prior: priorName(ctx),
        note: "unigram rank r → prior rank r",
      };
    },
  },
  {
    name: "frequency-rank-homophone-aware",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    homophonic: true,
    run(ctx) {
      const counts = priorUnigram(ctx);
      // without homophonic ids every token has one id: the same guesses as frequency-rank
      const ranking = homophoneFrequencyAttack(
        counts.value,
        observedCounts(ctx),
        ctx.input.homophonic ? estimatedCopies(ctx, counts.value) : null,
      );
      return {
        ranking,
        upstreamMs: counts.ms,
        prior: priorName(ctx),
        note: "prior split into V' slots by the public sizing rule; slot rank r → encrypted rank r",
      };
    },
  },
  {
    name: "hill-climb-bigram",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    run(ctx) {
      const lm = lmInputs(ctx);
      const freq = frequencyAttack(lm.priorCounts, lm.stats.unigram);
      const hc = hillClimbAttack(
        { model: lm.model, stats: lm.stats, start: freq.decrypt, fallback: freq.ranking },
        ctx.opts.hillClimb,
        ctx.rng,
      );
      const gain = hc.logLikelihood - hc.startLogLikelihood;
      return {
        ranking: hc.ranking,
        upstreamMs: lm.ms,
        prior: priorName(ctx),
        note: `from frequency solution; ${hc.swapsAccepted} swaps, ${hc.proposalsScored} proposals, ΔlogL=${gain.toFixed(0)} nats`,
      };
    },
  },
  {
    name: "hill-climb-trigram",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    run(ctx) {
      const lm = lmInputs(ctx);
      const { prior, observed } = traffic(ctx);
      const D = ctx.opts.hillClimb.discount;
      const tri = ctx.memo.get(`trigram:${D}`, () => buildTrigramModel(prior, lm.model, D));
      const obs = ctx.memo.get(`observed-trigrams:${observed.name}`, () =>
        observedTrigrams(observed, ctx.input.vocabSize),
      );
      const freq = frequencyAttack(lm.priorCounts, lm.stats.unigram);
      // start where the bigram climb ends (its own seeded randomness), then climb the trigram loss
      const bi = hillClimbAttack(
        { model: lm.model, stats: lm.stats, start: freq.decrypt, fallback: freq.ranking },
        ctx.opts.hillClimb,
        ctx.rng.derive("bigram-start"),
      );
      const hc = hillClimbAttack(
        {
          model: lm.model,
          stats: lm.stats,
          start: bi.decrypt,
          fallback: bi.ranking,
          scorer: trigramScorer(tri.value, obs.value),
        },
        ctx.opts.hillClimb,
        ctx.rng,
      );
      const gain = hc.logLikelihood - hc.startLogLikelihood;
      return {
        ranking: hc.ranking,
        upstreamMs: lm.ms + tri.ms + obs.ms,
        prior: priorName(ctx),
        note: `interpolated trigram (D=${D}) over the bigram; from the bigram climb's answer (${bi.swapsAccepted} swaps), ${ctx.opts.hillClimb.restarts} restarts (perturbed best); ${hc.swapsAccepted} trigram swaps, ΔlogL=${gain.toFixed(0)} nats`,
      };
    },
  },
  {
    name: "hill-climb-bigram-homophone-aware",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    homophonic: true,
    run: (ctx) => homophoneClimb(ctx, 2),
  },
  {
    name: "hill-climb-trigram-homophone-aware",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    homophonic: true,
    run: (ctx) => homophoneClimb(ctx, 3),
  },
  {
    name: "random-sampling",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    run(ctx) {
      const lm = lmInputs(ctx);
      const r = randomSearchAttack(lm.model, lm.stats, ctx.opts.randomSearch, ctx.rng);
      return {
        ranking: r.ranking,
        upstreamMs: lm.ms,
        prior: priorName(ctx),
        note: `best of ${r.evaluations} random decryptions by bigram logL`,
      };
    },
  },
  {
    name: "genetic",
    family: "ciphertext-only",
    sweep: true,
    missing: needTraffic,
    run(ctx) {
      const lm = lmInputs(ctx);
      const g = ctx.opts.genetic;
      const r = geneticAttack(lm.model, lm.stats, g, ctx.rng);
      return {
        ranking: r.ranking,
        upstreamMs: lm.ms,
        prior: priorName(ctx),
        note: `population ${g.population}, ${g.generations} generations, ${r.evaluations} evaluations, random start`,
      };
    },
  },
  {
    name: "known-plaintext+frequency",
    family: "known-plaintext",
    sweep: true,
    missing: needTemplate,
    homophonic: true,
    run(ctx) {
      const counts = priorUnigram(ctx);
      const anchors = templateAnchors(ctx);
      // homophonic ids: the homophone-aware frequency attack around the anchors
      const ranking = ctx.input.homophonic
        ? homophoneFrequencyAttack(
            counts.value,
            observedCounts(ctx),
            estimatedCopies(ctx, counts.value),
            anchors,
          )
        : frequencyAttack(counts.value, observedCounts(ctx), anchors).ranking;
      return {
        ranking,
        upstreamMs: counts.ms,
        prior: `${priorName(ctx)} + ${ctx.input.template?.description}`,
        note: `${anchors.plain.length} template anchors fixed`,
      };
    },
  },
  {
    name: "known-plaintext+hill-climb",
    family: "known-plaintext",
    sweep: true,
    missing: needTemplate,
    run(ctx) {
      const lm = lmInputs(ctx);
      const anchors = templateAnchors(ctx);
      const freq = frequencyAttack(lm.priorCounts, lm.stats.unigram, anchors);
      const frozen = new Uint8Array(ctx.input.vocabSize);
      for (const e of anchors.encrypted) frozen[e] = 1;
      const hc = hillClimbAttack(
        { model: lm.model, stats: lm.stats, start: freq.decrypt, frozen, fallback: freq.ranking },
        ctx.opts.hillClimb,
        ctx.rng,
      );
      return {
        ranking: hc.ranking,
        upstreamMs: lm.ms,
        prior: `${priorName(ctx)} + ${ctx.input.template?.description}`,
        note: `${anchors.plain.length} anchors frozen; ${hc.swapsAccepted} swaps`,
      };
    },
  },
  {
    name: "weights-exact-rows",
    family: "public-weights",
    sweep: false,
    missing: needWeights,
    run(ctx) {
      const w = ctx.input.weights;
      if (!w) throw new Error("needs weights");
      const r = exactRowMatch(w.plainEmbedding, w.encryptedEmbedding);
      return {
        ranking: r.ranking,
        upstreamMs: 0,
        prior: "public plain embedding",
        note: `${r.matchedRows} rows bit-identical to a plain row`,
      };
    },
  },
  {
    name: "weights-sorted-values",
    family: "public-weights",
    sweep: false,
    missing: needWeights,
    run(ctx) {
      const w = ctx.input.weights;
      if (!w) throw new Error("needs weights");
      const r = sortedValueMatch(w.plainEmbedding, w.encryptedEmbedding);
      return {
        ranking: r.ranking,
        upstreamMs: 0,
        prior: "public plain embedding",
        note: `${r.exactRows} rows with an identical sorted-value signature`,
      };
    },
  },
  {
    name: "weights-gram-anchors",
    family: "public-weights",
    sweep: false,
    missing: needWeights,
    run(ctx) {
      const g = gram(ctx);
      const heads = ctx.input.weights?.plainLmHead ? "embedding + LM head" : "embedding (tied head)";
      return {
        ranking: g.value.ranking,
        upstreamMs: g.ms,
        prior: `public plain ${heads}`,
        note: `${g.value.seeds} norm seeds, ${g.value.anchors.plain.length} Gram-consistent anchors`,
      };
    },
  },
  {
    name: "weights-procrustes",
    family: "public-weights",
    sweep: false,
    missing: needWeights,
    run(ctx) {
      const p = procrustes(ctx);
      if (typeof p.value === "string") {
        const g = gram(ctx);
        return {
          ranking: g.value.ranking,
          upstreamMs: p.ms,
          prior: "public plain weights",
          note: `Procrustes not solvable (${p.value}); gram-anchor ranking kept`,
        };
      }
      return {
        ranking: p.value.ranking,
        upstreamMs: p.ms,
        prior: "public plain weights",
        note: `seeded by gram-anchors; ${p.value.anchorsUsed} anchor rows, residual ${p.value.relativeResidual.toExponential(1)}`,
      };
    },
  },
  {
    name: "hidden-state-identity-basis",
    family: "hidden-state",
    sweep: false,
    missing: (i) => needHidden(i) ?? needWeights(i),
    run(ctx) {
      const h = ctx.input.hiddenStates;
      const w = ctx.input.weights;
      if (!h || !w) throw new Error("needs hidden states and weights");
      const r = hiddenStateInversion(h, w.plainEmbedding, null, ctx.opts.maxHiddenStateRows);
      return {
        observations: r,
        upstreamMs: 0,
        prior: "public plain embedding (+ public offsets)",
        note: `${h.corpus}; no basis estimate`,
      };
    },
  },
  {
    name: "hidden-state-procrustes-basis",
    family: "hidden-state",
    sweep: false,
    missing: (i) => needHidden(i) ?? needWeights(i),
    run(ctx) {
      const h = ctx.input.hiddenStates;
      const w = ctx.input.weights;
      if (!h || !w) throw new Error("needs hidden states and weights");
      const p = procrustes(ctx);
      if (typeof p.value === "string") {
        const r = hiddenStateInversion(h, w.plainEmbedding, null, ctx.opts.maxHiddenStateRows);
        return {
          observations: r,
          upstreamMs: p.ms,
          prior: "public plain weights",
          note: `no Procrustes estimate (${p.value}); identity basis used`,
        };
      }
      const r = hiddenStateInversion(h, w.plainEmbedding, p.value.q, ctx.opts.maxHiddenStateRows);
      return {
        observations: r,
        upstreamMs: p.ms,
        prior: "public plain weights",
        note: `${h.corpus}; basis Q̂ from weights-procrustes`,
      };
    },
  },
];

/** The server's own model as an oracle (registered after the table so the table reads in §8's order). */
/** The oracle's matches, memoised (several attacks build on them). */
function oracleMatch(ctx: AttackContext) {
  const o = ctx.input.oracle;
  if (!o) throw new Error("needs oracle signatures");
  return ctx.memo.get("logits-oracle", () => logitsOracleMatch(o));
}

/** Distance below which the `share` closest of `best` lie. */
function quantile(best: Float64Array, share: number): number {
  const s = Float64Array.from(best.filter(Number.isFinite)).sort();
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(share * s.length))];
}

const ORACLE_ATTACKS: readonly AttackEntry[] = [
  {
    name: "logits-oracle",
    family: "model-oracle",
    sweep: false,
    missing: needOracle,
    run(ctx) {
      const o = ctx.input.oracle;
      if (!o) throw new Error("needs oracle signatures");
      const m = oracleMatch(ctx);
      const r = m.value;
      return {
        ranking: r.ranking,
        upstreamMs: m.ms,
        prior: "public plain model + the served encrypted model (chosen queries)",
        note: `${o.description}; ${r.exactMatches} exact signature matches, ${r.reassigned} reassigned`,
      };
    },
  },
  {
    // Votes across attacks: the oracle's most confident matches seed an iterative Procrustes fit of
    // the hidden basis on the embedding rows; every row is then re-matched by where its plain row
    // lands (nearest neighbour), which tolerates row noise far larger than any exact invariant does.
    name: "oracle+procrustes",
    family: "model-oracle",
    sweep: false,
    missing: (i) => needOracle(i) ?? needWeights(i),
    run(ctx) {
      const w = ctx.input.weights;
      if (!w) throw new Error("needs weights");
      const m = oracleMatch(ctx);
      const seed = { ranking: m.value.ranking, best: m.value.best, tolerance: quantile(m.value.best, 0.25) };
      const t0 = performance.now();
      try {
        const p = procrustesMatch(w, seed, ctx.rng.derive("oracle+procrustes"), {
          rounds: 4,
          maxAnchors: 0,
          projections: 16,
        });
        return {
          ranking: p.ranking,
          upstreamMs: m.ms,
          prior: "public plain model + the served encrypted model + its weights",
          note: `oracle's closest quarter as seeds; ${p.anchorsUsed} anchor rows, residual ${p.relativeResidual.toExponential(1)} (${Math.round(performance.now() - t0)} ms fit)`,
        };
      } catch (e) {
        return {
          ranking: m.value.ranking,
          upstreamMs: m.ms,
          prior: "public plain model + the served encrypted model + its weights",
          note: `Procrustes not solvable (${(e as Error).message}); oracle ranking kept`,
        };
      }
    },
  },
];

/** Layers whose residual states `hidden-state-vocab-match-L<l>` matches (those the model has). */
const RESIDUAL_LAYERS = [0, 1, 2, 3, 4] as const;

/** Vocabulary matching on the residual stream after layer l, the server querying both models. */
const RESIDUAL_ATTACKS: readonly AttackEntry[] = RESIDUAL_LAYERS.map((layer) => ({
  name: `hidden-state-vocab-match-L${layer}`,
  family: "hidden-state" as const,
  sweep: false,
  missing: (i: AttackSuiteInput) =>
    !i.residualStates
      ? "no residual states (the server runs [BOS, id] or [id] through both models; not queried)"
      : i.residualStates.layers.some((x) => x.layer === layer)
        ? null
        : `no residual states after layer ${layer} (the model has ${i.residualStates.layers.length - 1} layers)`,
  run(ctx: AttackContext): AttackOutcome {
    const view = ctx.input.residualStates;
    if (!view) throw new Error("needs residual states");
    const r = residualMatch(view, layer);
    const fit =
      r.relativeResidual === null
        ? `too few anchors (${r.anchors}) for Procrustes; signature matches kept`
        : `${r.anchors} anchors → Procrustes Q̂ (residual ${r.relativeResidual.toExponential(1)}) → ${r.searchSkipped ?? `nearest state (${r.searchedRows} rows searched, the rest on their mapped match) + assignment`}`;
    const sig = view.bosPlain
      ? "inner products with the BOS states"
      : "inner products with its own other-layer states";
    return {
      ranking: r.ranking,
      upstreamMs: 0,
      prior: "public plain model + the served encrypted model (chosen queries)",
      note: `${view.description}; rotation-invariant signatures (norm, ${sig}); ${fit}`,
    };
  },
}));

/** Every registered attack. */
export const ATTACKS: readonly AttackEntry[] = [...TABLE, ...ORACLE_ATTACKS, ...RESIDUAL_ATTACKS];

/** The entry named `name`, or an Error listing the known names. */
export function attackByName(name: string): AttackEntry {
  const e = ATTACKS.find((a) => a.name === name);
  if (!e) throw new Error(`unknown attack "${name}"; known: ${ATTACKS.map((a) => a.name).join(", ")}`);
  return e;
}

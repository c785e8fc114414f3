/**
 * `runAttackSuite`: run every registered attack that applies to the input (or the named ones),
 * sweeping traffic attacks over the number of observed tokens, and score each against the true π.
 */
import { createRandom } from "ee-core";
import { DEFAULT_GENETIC } from "./attacks/genetic.js";
import { DEFAULT_HILL_CLIMB } from "./attacks/hill-climb.js";
import { DEFAULT_RANDOM_SEARCH } from "./attacks/random-search.js";
import { type AttackContext, Memo } from "./context.js";
import { type HeldOutSplit, heldOutBreakdown, splitHeldOut } from "./held-out.js";
import { tokenCount, truncateCorpus } from "./lm/unigram.js";
import {
  distinctIds,
  encryptedVocabSize,
  scoreDecryption,
  scoreObservations,
  scoreRanking,
} from "./metrics.js";
import { ATTACKS, type AttackEntry, attackByName } from "./registry.js";
import type { AttackReport, AttackRow, AttackSuiteInput, AttackSuiteOptions, TextPrior } from "./types.js";

/** Default suite options (the sweep 10³ … 10⁵, seed 0). */
export const DEFAULT_SUITE_OPTIONS: AttackSuiteOptions = {
  seed: 0,
  observedTokenSweep: [1_000, 10_000, 100_000],
  hillClimb: DEFAULT_HILL_CLIMB,
  randomSearch: DEFAULT_RANDOM_SEARCH,
  genetic: DEFAULT_GENETIC,
  maxHiddenStateRows: 128,
};

/** Run the suite. Options not given take `DEFAULT_SUITE_OPTIONS`. */
export async function runAttackSuite(
  input: AttackSuiteInput,
  options: Partial<AttackSuiteOptions> = {},
): Promise<AttackReport> {
  const opts: AttackSuiteOptions = { ...DEFAULT_SUITE_OPTIONS, ...options };
  validateInput(input);
  const entries: AttackEntry[] = opts.attacks ? opts.attacks.map(attackByName) : [...ATTACKS];
  const memo = new Memo();
  const rows: AttackRow[] = [];
  const skipped: { attack: string; reason: string }[] = [];
  const root = createRandom({ seed: opts.seed });
  const sweep = sweepPoints(input, opts.observedTokenSweep);
  const split = input.heldOut
    ? splitHeldOut({
        truePermutation: input.truePermutation,
        ...(input.homophonic ? { trueDecryption: input.homophonic.trueDecryption } : {}),
        heldOut: input.heldOut,
        template: input.template,
        specialIds: input.specialIds,
        rankCorpus: input.observed,
      })
    : null;
  for (const entry of entries) {
    const why =
      input.homophonic && !entry.homophonic
        ? "homophonic ids (V' > V): this attack assumes one encrypted id per token"
        : entry.missing(input);
    if (why) {
      skipped.push({ attack: entry.name, reason: why });
      continue;
    }
    const points = entry.sweep ? sweep : [0];
    for (const n of points) {
      const observed = entry.sweep && input.observed ? truncateCorpus(input.observed, n) : null;
      const ctx: AttackContext = { input, opts, rng: root.derive(`${entry.name}/${n}`), observed, memo };
      const t0 = performance.now();
      const out = entry.run(ctx);
      const ownMs = performance.now() - t0;
      rows.push(
        scoreRow(
          input,
          entry,
          n,
          observed ? distinctIds(observed, encryptedVocabSize(input)) : undefined,
          out,
          ownMs,
          split,
        ),
      );
      opts.onRow?.(rows[rows.length - 1]);
      await new Promise((r) => setImmediate(r));
    }
  }
  return {
    model: input.model,
    architecture: input.architecture,
    scheme: input.scheme,
    vocabSize: input.vocabSize,
    seed: opts.seed,
    victimCorpus: input.observed?.name ?? null,
    heldOutCorpus: input.heldOut?.name ?? null,
    priorCorpus: input.prior?.name ?? null,
    priorKind: priorKindOf(input),
    rows,
    skipped,
  };
}

/** Sweep sizes clipped to the observed corpus, deduplicated, ascending. */
function sweepPoints(input: AttackSuiteInput, sweep: number[]): number[] {
  if (!input.observed) return [];
  const total = tokenCount(input.observed);
  for (const n of sweep)
    if (!Number.isSafeInteger(n) || n < 1)
      throw new Error(`observedTokenSweep: entries must be positive integers, got ${n}`);
  return [...new Set(sweep.map((n) => Math.min(n, total)))].sort((a, b) => a - b);
}

/** The attacker's text prior: as stated, else same-distribution when a prior corpus is given. */
export function priorKindOf(input: AttackSuiteInput): TextPrior {
  return input.priorKind ?? (input.prior ? "same-distribution" : "none");
}

function scoreRow(
  input: AttackSuiteInput,
  entry: AttackEntry,
  n: number,
  occurring: Int32Array | undefined,
  out: ReturnType<AttackEntry["run"]>,
  ownMs: number,
  split: HeldOutSplit | null,
): AttackRow {
  const usesText = entry.family === "ciphertext-only" || entry.family === "known-plaintext";
  const base = {
    attack: entry.name,
    family: entry.family,
    model: input.model,
    architecture: input.architecture,
    scheme: input.scheme,
    observedTokens: n,
    chanceTop1Pct: 100 / input.vocabSize,
    wallMs: ownMs + out.upstreamMs,
    prior: out.prior,
    textPrior: usesText ? priorKindOf(input) : ("none" as TextPrior),
    note: out.note,
  };
  if (out.observations) {
    const s = scoreObservations(out.observations.ranking, out.observations.trueIds);
    return {
      ...base,
      scoredIds: s.scoredIds,
      top1Pct: s.top1Pct,
      top10Pct: s.top10Pct,
      heldOutPct: null,
      heldOutTokens: 0,
      heldOut: null,
    };
  }
  if (!out.ranking) throw new Error(`attack ${entry.name} returned neither a ranking nor observations`);
  const s = input.homophonic
    ? scoreDecryption(out.ranking, input.homophonic.trueDecryption, out.scoredEncIds ?? occurring)
    : scoreRanking(out.ranking, input.truePermutation, out.scoredEncIds ?? occurring);
  const held = split ? heldOutBreakdown(out.ranking, split) : null;
  return {
    ...base,
    scoredIds: s.scoredIds,
    top1Pct: s.top1Pct,
    top10Pct: s.top10Pct,
    heldOutPct: held ? held.user.occurrencePct : null,
    heldOutTokens: held ? held.user.tokens : 0,
    heldOut: held,
  };
}

function validateInput(input: AttackSuiteInput): void {
  const V = input.vocabSize;
  if (!Number.isSafeInteger(V) || V < 2)
    throw new Error(`AttackSuiteInput.vocabSize must be an integer ≥ 2, got ${V}`);
  if (input.truePermutation.length !== V)
    throw new Error(
      `AttackSuiteInput.truePermutation has length ${input.truePermutation.length}, vocabSize is ${V}`,
    );
  const w = input.weights;
  if (w && (w.plainEmbedding.rows !== V || w.encryptedEmbedding.rows !== V)) {
    throw new Error(
      `AttackSuiteInput.weights: embeddings must have vocabSize = ${V} rows (got ${w.plainEmbedding.rows} and ${w.encryptedEmbedding.rows})`,
    );
  }
}

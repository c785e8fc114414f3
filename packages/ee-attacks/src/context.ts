/**
 * What every registered attack receives: the suite input, options, a seeded random source, the
 * observed traffic of the current sweep point, and a memo of shared intermediate results (each with
 * the wall time it cost, so that an attack reusing it can report its full cost).
 */
import type { RandomSource } from "ee-core";
import type {
  AttackSuiteInput,
  AttackSuiteOptions,
  CandidateRanking,
  ObservationRanking,
  TokenCorpus,
} from "./types.js";

/** A memo of named intermediate results with their cost. */
export class Memo {
  private readonly store = new Map<string, { value: unknown; ms: number }>();

  /**
   * The value under `key`, computing it with `make` on first use. `ms` is what the caller must add
   * to its own wall time: 0 when computed now (the caller's clock already ran), else the cost of
   * the earlier computation it reuses.
   */
  get<T>(key: string, make: () => T): { value: T; ms: number } {
    const hit = this.store.get(key);
    if (hit) return hit as { value: T; ms: number };
    const t0 = performance.now();
    const value = make();
    this.store.set(key, { value, ms: performance.now() - t0 });
    return { value, ms: 0 };
  }
}

/** Input of one attack run. */
export interface AttackContext {
  /** The suite input. */
  input: AttackSuiteInput;
  /** The suite options. */
  opts: AttackSuiteOptions;
  /** Seeded random source for this run. */
  rng: RandomSource;
  /** Observed encrypted traffic of this sweep point (null for attacks that do not use traffic). */
  observed: TokenCorpus | null;
  /** Shared intermediate results. */
  memo: Memo;
}

/** What an attack returns; the suite scores it. */
export interface AttackOutcome {
  /** Ranked plain ids per encrypted id (mapping attacks). */
  ranking?: CandidateRanking;
  /** Encrypted ids to score the mapping over (absent = the ids in the observed traffic, or all ids when there is none). */
  scoredEncIds?: Int32Array;
  /** Per-observation ranking and truth (hidden-state attacks). */
  observations?: { ranking: ObservationRanking; trueIds: Int32Array };
  /** Extra wall time of memoised work this attack depends on (ms), added to its own. */
  upstreamMs: number;
  /** What the attacker used, e.g. the prior corpus name. */
  prior: string;
  /** Anything a reader must know. */
  note: string;
}

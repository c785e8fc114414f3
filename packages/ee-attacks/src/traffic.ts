/**
 * `guessTraffic`: what an attacker WITHOUT the key makes of observed traffic — the traffic attacks of
 * the registry run as in `runAttackSuite`, but nothing is scored (there is no truth to score against);
 * each attack returns its first guess per encrypted id. With the key, use `runAttackSuite` instead.
 */
import { createRandom } from "ee-core";
import { type AttackContext, Memo } from "./context.js";
import { topGuess } from "./ranking.js";
import { attackByName } from "./registry.js";
import { DEFAULT_SUITE_OPTIONS } from "./suite.js";
import type {
  AttackFamily,
  AttackSuiteOptions,
  HomophonicView,
  KnownTemplate,
  TextPrior,
  TokenCorpus,
} from "./types.js";

/** What the keyless attacker holds. */
export interface TrafficGuessInput {
  /** Architecture family, e.g. `"bert"`. */
  architecture: string;
  /** Vocabulary size `V` (ids). */
  vocabSize: number;
  /** The attacker's public prior text, plain ids. */
  prior: TokenCorpus;
  /** How the prior relates to the victim's text. */
  priorKind: TextPrior;
  /** The observed encrypted traffic. */
  observed: TokenCorpus;
  /** The public template every request carries (known-plaintext attacks), if any. */
  template?: KnownTemplate;
  /**
   * Homophonic ids (scheme `homophonic`), what the attacker knows of them without the key: the
   * encrypted vocabulary size V' > V (the served config's) and the scheme's public sizing rule. Then
   * observed ids range over [0, V') and only the attacks that handle homophonic ids run.
   */
  homophonic?: { encryptedVocabSize: number; allocate: HomophonicView["allocate"] };
}

/** One attack's guesses. */
export interface TrafficGuess {
  /** Registry name of the attack. */
  attack: string;
  /** Threat model. */
  family: AttackFamily;
  /** First guess (plain id) per encrypted id `[V]` (`[V']` under homophonic ids); -1 where never observed. */
  decrypt: Int32Array;
  /** Attack wall time (ms). */
  wallMs: number;
  /** The attack's own note. */
  note: string;
}

/** Run the named traffic attacks (ciphertext-only / known-plaintext) on `input`; no scoring. */
export function guessTraffic(
  input: TrafficGuessInput,
  attacks: string[],
  options: Partial<AttackSuiteOptions> = {},
): TrafficGuess[] {
  const opts: AttackSuiteOptions = { ...DEFAULT_SUITE_OPTIONS, ...options };
  const V = input.vocabSize;
  const h = input.homophonic;
  if (h && !(Number.isInteger(h.encryptedVocabSize) && h.encryptedVocabSize > V))
    throw new Error(
      `guessTraffic: homophonic ids need an encrypted vocabulary larger than ${V}, got ${h.encryptedVocabSize}`,
    );
  const Vp = h ? h.encryptedVocabSize : V;
  // the traffic attacks never read the truth; an identity (and, under homophonic ids, a decryption of
  // all -1 with the right length V') stands in for the fields they do not use
  const suiteInput = {
    architecture: input.architecture,
    scheme: "unknown",
    model: input.architecture,
    vocabSize: V,
    truePermutation: Int32Array.from({ length: V }, (_, i) => i),
    prior: input.prior,
    priorKind: input.priorKind,
    observed: input.observed,
    ...(input.template ? { template: input.template } : {}),
    ...(h ? { homophonic: { trueDecryption: new Int32Array(Vp).fill(-1), allocate: h.allocate } } : {}),
  };
  const seen = new Uint8Array(Vp);
  for (const d of input.observed.docs)
    for (const e of d) {
      if (e < 0 || e >= Vp)
        throw new Error(`observed "${input.observed.name}" has id ${e} outside [0, ${Vp})`);
      seen[e] = 1;
    }
  const memo = new Memo();
  const root = createRandom({ seed: opts.seed });
  return attacks.map((name) => {
    const entry = attackByName(name);
    if (entry.family !== "ciphertext-only" && entry.family !== "known-plaintext")
      throw new Error(`guessTraffic: ${name} is a ${entry.family} attack, not a traffic attack`);
    if (h && !entry.homophonic)
      throw new Error(`guessTraffic: ${name} assumes one encrypted id per token; these are homophonic ids`);
    const why = entry.missing(suiteInput);
    if (why) throw new Error(`guessTraffic: ${name} cannot run: ${why}`);
    const ctx: AttackContext = {
      input: suiteInput,
      opts,
      rng: root.derive(`${name}/traffic`),
      observed: input.observed,
      memo,
    };
    const t0 = performance.now();
    const out = entry.run(ctx);
    const wallMs = performance.now() - t0 + out.upstreamMs;
    if (!out.ranking) throw new Error(`guessTraffic: ${name} returned no ranking`);
    const decrypt = topGuess(out.ranking);
    if (decrypt.length !== Vp)
      throw new Error(`guessTraffic: ${name} ranked ${decrypt.length} encrypted ids, expected ${Vp}`);
    for (let e = 0; e < Vp; e++) if (!seen[e]) decrypt[e] = -1;
    return { attack: name, family: entry.family, decrypt, wallMs, note: out.note };
  });
}

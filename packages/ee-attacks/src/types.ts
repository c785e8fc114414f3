/**
 * Public types of ee-attacks. Every field carries a doc line and, where it has one, its unit.
 *
 * Conventions:
 * - `π` is the secret vocabulary permutation: plain token `t` travels as encrypted id `π(t)`
 *   (ee-core's `Permutation`: `perm[t] = π(t)`).
 * - An attacker wants the decryption `σ = π⁻¹`: encrypted id → plain id. Every attack returns, per
 *   encrypted id, a ranked list of plain-id candidates (best first).
 * - Matrices are row-major float32, one row per token for embeddings AND LM heads (HF Llama stores
 *   `lm_head.weight` as `[V, d]` already; a `[d, V]` head must be transposed by the caller).
 */

import type { Permutation } from "ee-core";
import type { AssignmentScorer } from "./lm/assignment-score.js";
import type { BigramModel } from "./lm/bigram-model.js";
import type { ObservedStats } from "./lm/observed-stats.js";
import type { ReassignScorer } from "./lm/reassign-score.js";

/** A dense row-major float32 matrix. */
export interface Matrix {
  /** Number of rows (tokens for an embedding table; observations for activations). */
  rows: number;
  /** Number of columns (the hidden size `d`). */
  cols: number;
  /** `rows × cols` values, row-major. */
  data: Float32Array;
}

/** Token-id documents with a name saying where they come from. */
export interface TokenCorpus {
  /** Which text this is, e.g. `"imdb test ids 0-1249 (pos+neg)"`; printed in the report. */
  name: string;
  /** One Int32Array of token ids per document (a prompt, a review, a conversation). */
  docs: Int32Array[];
}

/** Per encrypted id, a ranked list of plain-id guesses (best first). */
export interface CandidateRanking {
  /** Vocabulary size `V` (number of encrypted ids). */
  vocabSize: number;
  /** Candidates kept per encrypted id. */
  depth: number;
  /** `vocabSize × depth` plain ids, row `e` = guesses for encrypted id `e`; `-1` = no guess. */
  ids: Int32Array;
}

/** Per observation (e.g. one activation row), a ranked list of plain-id guesses. */
export interface ObservationRanking {
  /** Number of observations. */
  count: number;
  /** Candidates kept per observation. */
  depth: number;
  /** `count × depth` plain ids, best first; `-1` = no guess. */
  ids: Int32Array;
}

/** How well a ranking recovers the secret mapping. */
export interface RecoveryScore {
  /** Share of scored encrypted ids whose first guess is right (percent). */
  top1Pct: number;
  /** Share of scored encrypted ids with the right plain id among the first 10 guesses (percent). */
  top10Pct: number;
  /** Number of encrypted ids scored (the distinct ids that occur, or all rows). */
  scoredIds: number;
}

/** Anchor pairs an attacker is sure about (known plaintext). */
export interface AnchorPairs {
  /** Plain ids of the anchors. */
  plain: Int32Array;
  /** Encrypted ids of the anchors, `encrypted[i]` is the ciphertext of `plain[i]`. */
  encrypted: Int32Array;
}

/** A known chat / input template: tokens every victim document starts and ends with. */
export interface KnownTemplate {
  /** What the template is, e.g. `"llama-3.1 chat template + known system prompt"`. */
  description: string;
  /** Plain ids every document starts with. */
  prefix: Int32Array;
  /** Plain ids every document ends with. */
  suffix: Int32Array;
}

/** What the attacker holds when both the encrypted and the public plain weights are available. */
export interface WeightsView {
  /** Public plain embedding table, `V × d`. */
  plainEmbedding: Matrix;
  /** Encrypted embedding table, `V × d` (rows permuted by π, hidden basis changed under `full`). */
  encryptedEmbedding: Matrix;
  /** Public plain LM head, one row per token (`V × d`); absent for tied heads. */
  plainLmHead?: Matrix;
  /** Encrypted LM head, one row per encrypted id (`V × d`); absent for tied heads. */
  encryptedLmHead?: Matrix;
}

/** Layer-0 activations the server computes, in the server's (encrypted) basis. */
export interface HiddenStateView {
  /** Which text the activations come from. */
  corpus: string;
  /** Activations, `n × d` (one row per token position). */
  activations: Matrix;
  /** Public plain-basis offsets added before the first norm (position + token-type rows), `n × d`; absent = none. */
  offsets?: Matrix;
  /** True when a mean-subtracting norm (LayerNorm) produced the activations: compare centred vectors. */
  centered: boolean;
  /** True plain id at each row — scoring only. */
  trueTokenIds: Int32Array;
}

/**
 * Residual-stream states a server reads by running models on inputs of its choosing: for every id, the
 * query `[BOS, id]` through the public plain model (row t = plain id t) and through the encrypted model
 * it serves (row e = encrypted id e), the state at the last position after each layer.
 */
export interface ResidualStatesView {
  /** How the states were made, e.g. `"[BOS, t] → residual stream after layer l"`. */
  description: string;
  /** States per layer: `layer` 0 = after the embedding, l = after block l; `V × d` each (features). */
  layers: { layer: number; plain: Matrix; encrypted: Matrix }[];
  /**
   * Decoders: the BOS position's state after every layer (layer-major rows), plain model, `(L + 1) × d`
   * (the same for every query: position 0 sees only BOS). Absent for encoders queried with `[id]` alone.
   */
  bosPlain?: Matrix;
  /** The same for the encrypted model, `(L + 1) × d`; present exactly when `bosPlain` is. */
  bosEncrypted?: Matrix;
}

/**
 * What a server learns by running models on inputs of its choosing (the logits oracle): one signature
 * row per single-token query, for the public plain model (row t = query with plain id t) and for the
 * encrypted model it serves (row e = query with encrypted id e).
 */
export interface OracleView {
  /** How the queries were made, e.g. `"[BOS, t] → top-16 sorted next-token log-probs"`. */
  description: string;
  /** Plain-model signatures, `V × k` (log-probabilities, nats). */
  plainSignatures: Matrix;
  /** Encrypted-model signatures, `V × k` (log-probabilities, nats). */
  encryptedSignatures: Matrix;
}

/**
 * The attacker's prior text relative to the victim's: none at all, the same domain (same language and
 * register, another source), or the same distribution (a disjoint sample of the same source).
 */
export type TextPrior = "none" | "same-domain" | "same-distribution";

/** Frequency band of a plain token's rank in the victim's traffic (0-based ranks < 100, < 1000, the rest). */
export type FrequencyBand = "top-100" | "100-1k" | "rest";

/** Recovery over a set of token occurrences, counted both ways. */
export interface RecoveryShare {
  /** Share of occurrences decrypted right by the first guess (percent). */
  occurrencePct: number;
  /** Share of distinct types decrypted right by the first guess (percent). */
  typePct: number;
  /** Occurrences scored (tokens). */
  tokens: number;
  /** Distinct types scored (ids). */
  types: number;
}

/** Held-out recovery, split honestly. */
export interface HeldOutBreakdown {
  /** The user's own text: template and special tokens excluded. */
  user: RecoveryShare;
  /** Template and special tokens (known plaintext), reported apart. */
  template: RecoveryShare;
  /** The user's text per frequency band. */
  bands: { band: FrequencyBand; share: RecoveryShare }[];
}

/** Everything `runAttackSuite` takes: plain data, no files. */
export interface AttackSuiteInput {
  /** Architecture family, e.g. `"bert"`, `"llama"`. */
  architecture: string;
  /** Scheme name of the encryption, e.g. `"vocab"` or `"full"`. */
  scheme: string;
  /** Model label for the report, e.g. `"bert-base"`, `"llama-3.1-mini"`. */
  model: string;
  /** Vocabulary size `V`. */
  vocabSize: number;
  /** The true π (plain → encrypted) — used ONLY to score. */
  truePermutation: Permutation;
  /** Attacker's public prior text, plain ids. */
  prior?: TokenCorpus;
  /** Victim traffic the attacker observes, encrypted ids. */
  observed?: TokenCorpus;
  /** Victim prompts not in `observed`, encrypted ids: share decrypted correctly. */
  heldOut?: TokenCorpus;
  /** Known template tokens (known-plaintext attacks; excluded from the held-out user text). */
  template?: KnownTemplate;
  /** How the prior relates to the victim's text; default `"same-distribution"` with a prior, else `"none"`. */
  priorKind?: TextPrior;
  /** Plain ids of special tokens, excluded from the held-out user text and reported apart. */
  specialIds?: Int32Array;
  /** Encrypted + public plain weights (public-weights and hidden-state attacks). */
  weights?: WeightsView;
  /** Layer-0 activations the server sees (hidden-state attacks). */
  hiddenStates?: HiddenStateView;
  /** Signatures of the plain and encrypted models' outputs on chosen queries (model-oracle attacks). */
  oracle?: OracleView;
  /** Residual-stream states of both models on chosen queries (hidden-state matching beyond layer 0). */
  residualStates?: ResidualStatesView;
  /**
   * Homophonic ids (scheme `homophonic`): observed and held-out ids range over V' > V encrypted ids,
   * several per token. Then `truePermutation` holds the encrypted id of copy 0 of each token, and only
   * the attacks that handle V' ≠ V run (the others are skipped, with the reason).
   */
  homophonic?: HomophonicView;
}

/** What scoring and a homophone-aware attacker need under homophonic ids. */
export interface HomophonicView {
  /** True plain id of every encrypted id `[V']` — scoring only. */
  trueDecryption: Int32Array;
  /**
   * The scheme's public sizing rule: copies per token `[V]` from token counts `[V]` and a budget of
   * extra ids (V' − V, public: the encrypted config's vocabulary size). A homophone-aware attacker
   * applies it to its own prior.
   */
  allocate(counts: Float64Array, extraIds: number): Int32Array;
}

/** Settings of the token-stream hill climber. */
export interface HillClimbOptions {
  /** Independent restarts (the first starts from the frequency solution). */
  restarts: number;
  /** Maximum sweeps over the observed symbols per restart. */
  maxPasses: number;
  /** Swap proposals tried per symbol per sweep. */
  proposalsPerSymbol: number;
  /** Random swaps applied to the best solution before each restart after the first. */
  perturbSwaps: number;
  /** Absolute discount of the bigram model's interpolated smoothing, in (0, 1). */
  discount: number;
}

/** Settings of the random-sampling baseline. */
export interface RandomSearchOptions {
  /** Random assignments drawn and scored. */
  samples: number;
}

/** Settings of the genetic-search baseline. */
export interface GeneticOptions {
  /** Individuals per generation. */
  population: number;
  /** Generations. */
  generations: number;
  /** Probability that a gene (one symbol's plain id) mutates, per child. */
  mutationRate: number;
}

/** Options of `runAttackSuite`. */
export interface AttackSuiteOptions {
  /** Seed of every random choice the attacks make. */
  seed: number;
  /** Numbers of observed encrypted tokens to sweep (each ≤ the observed corpus; larger ones are clipped). */
  observedTokenSweep: number[];
  /** Names of attacks to run (registry names); absent = all that apply. */
  attacks?: string[];
  /** Hill-climb settings. */
  hillClimb: HillClimbOptions;
  /** Random-sampling settings. */
  randomSearch: RandomSearchOptions;
  /** Genetic-search settings. */
  genetic: GeneticOptions;
  /** Maximum activation rows used by hidden-state attacks (cost is rows × V × d). */
  maxHiddenStateRows: number;
  /** Called after each measured row (progress). */
  onRow?: (row: AttackRow) => void;
}

/**
 * Attack families: the four threat models of docs/design.md §8, plus the server running the encrypted
 * model it holds on inputs of its choosing (`model-oracle`).
 */
export type AttackFamily =
  | "ciphertext-only"
  | "known-plaintext"
  | "public-weights"
  | "hidden-state"
  | "model-oracle";

/** One measured row of the attack table. */
export interface AttackRow {
  /** Registry name of the attack, e.g. `"hill-climb-bigram"`. */
  attack: string;
  /** Threat model. */
  family: AttackFamily;
  /** Model label. */
  model: string;
  /** Architecture family. */
  architecture: string;
  /** Encryption scheme. */
  scheme: string;
  /** Encrypted tokens the attacker observed (ciphertext attacks), or 0 for weight attacks. */
  observedTokens: number;
  /** Distinct encrypted ids scored (those that occur / rows matched / activation rows). */
  scoredIds: number;
  /** Top-1 recovery of the mapping over the scored ids (percent). */
  top1Pct: number;
  /** Top-10 recovery over the scored ids (percent). */
  top10Pct: number;
  /**
   * Share of the held-out USER tokens (template and special tokens excluded) decrypted correctly by the
   * first guess, by occurrence (percent); null = not applicable.
   */
  heldOutPct: number | null;
  /** Held-out user tokens scored (tokens); 0 when not applicable. */
  heldOutTokens: number;
  /** The full held-out breakdown (by type and occurrence, per band, template apart); null = not applicable. */
  heldOut: HeldOutBreakdown | null;
  /** The attacker's prior TEXT for this row (`"none"` for attacks that use no text). */
  textPrior: TextPrior;
  /** Chance level of top-1 for this row (percent). */
  chanceTop1Pct: number;
  /** Attack wall time (milliseconds). */
  wallMs: number;
  /** The attacker's prior / knowledge, e.g. the prior corpus name or "public plain weights". */
  prior: string;
  /** Anything a reader must know about this row. */
  note: string;
}

/** Output of `runAttackSuite`. */
export interface AttackReport {
  /** Model label. */
  model: string;
  /** Architecture family. */
  architecture: string;
  /** Encryption scheme. */
  scheme: string;
  /** Vocabulary size `V`. */
  vocabSize: number;
  /** Seed used. */
  seed: number;
  /** Victim corpus name (observed stream). */
  victimCorpus: string | null;
  /** Held-out corpus name. */
  heldOutCorpus: string | null;
  /** Attacker prior corpus name. */
  priorCorpus: string | null;
  /** How the prior text relates to the victim's. */
  priorKind: TextPrior;
  /** Measured rows. */
  rows: AttackRow[];
  /** Attack names skipped, with the reason. */
  skipped: { attack: string; reason: string }[];
}

/** A complete decryption guess plus its ranked candidates. */
export interface DecryptionGuess {
  /** Guessed plain id of every encrypted id (a permutation of `0..V-1`). */
  decrypt: Int32Array;
  /** Ranked candidates per encrypted id. */
  ranking: CandidateRanking;
}

/** Result of a hill climb. */
export interface HillClimbResult {
  /** Best decryption found (a permutation of `0..V-1`). */
  decrypt: Int32Array;
  /** Ranked candidates per encrypted id. */
  ranking: CandidateRanking;
  /** S(σ) of the start (nats). */
  startLogLikelihood: number;
  /** S(σ) of the answer (nats). */
  logLikelihood: number;
  /** Improving swaps applied over all restarts. */
  swapsAccepted: number;
  /** Swap proposals scored. */
  proposalsScored: number;
}

/** Inputs of `hillClimbAttack`. */
export interface HillClimbInput {
  /** Public bigram model over plain ids. */
  model: BigramModel;
  /** Statistics of the observed encrypted traffic. */
  stats: ObservedStats;
  /** Start decryption, encrypted → plain (a permutation); not modified. */
  start: Int32Array;
  /** Encrypted ids whose decryption is fixed (known-plaintext anchors), 0/1 mask; absent = none. */
  frozen?: Uint8Array;
  /** Fallback candidates appended after the hill-climb's own (e.g. the frequency ranking). */
  fallback?: CandidateRanking;
  /** The loss maximised; default the bigram log-likelihood of `model` on `stats` (proposals always use those two). */
  scorer?: AssignmentScorer;
}

/** Result of a search over decryptions of the observed symbols. */
export interface SearchResult {
  /** Best decryption (plain id per encrypted id, `-1` for ids that do not occur). */
  decrypt: Int32Array;
  /** Ranked candidates. */
  ranking: CandidateRanking;
  /** S(σ) of the best decryption (nats). */
  logLikelihood: number;
  /** Decryptions scored. */
  evaluations: number;
}

/** Settings of `gramAnchorMatch`. */
export interface GramMatchOptions {
  /** Relative agreement demanded of invariants (float32 rounding of a rotation is ~1e-7). */
  relTolerance: number;
  /** Seed pairs examined by the Gram check. */
  seedCandidates: number;
  /** Anchors used in the signatures of step 3. */
  anchorsUsed: number;
}

/** Result of `gramAnchorMatch`. */
export interface GramMatchResult {
  /** Ranked plain-row candidates per encrypted row. */
  ranking: CandidateRanking;
  /** Verified anchors (plain row ↔ encrypted row). */
  anchors: AnchorPairs;
  /** Signature distance to the nearest candidate per encrypted row (units of `tolerance`'s scale). */
  best: Float64Array;
  /** Signature distance to the second nearest. */
  second: Float64Array;
  /** Distance below which a match is as exact as float32 allows. */
  tolerance: number;
  /** Seed pairs found in step 1. */
  seeds: number;
}

/** Settings of `procrustesMatch`. */
export interface ProcrustesMatchOptions {
  /** Procrustes → re-match rounds. */
  rounds: number;
  /** Most anchor pairs used per Procrustes solve (multiples of d help with noise, cost m·d²). */
  maxAnchors: number;
  /** Random projection width of the re-match signatures. */
  projections: number;
}

/** Confident matches to start from. */
export interface SeedMatches {
  /** Ranked plain rows per encrypted row. */
  ranking: CandidateRanking;
  /** Nearest-candidate distance per encrypted row. */
  best: Float64Array;
  /** Distance below which a match counts as confident. */
  tolerance: number;
}

/** Result of `procrustesMatch`. */
export interface ProcrustesMatchResult {
  /** Ranked plain rows per encrypted row after the last round. */
  ranking: CandidateRanking;
  /** Estimated hidden basis Q̂ (`d × d` float64, E' rows ≈ E rows · Q̂). */
  q: Float64Array;
  /** ‖A Q̂ − B‖/‖B‖ over the anchors of the last solve. */
  relativeResidual: number;
  /** Anchor pairs used in the last solve. */
  anchorsUsed: number;
}

/** Result of `polarOrthogonal`. */
export interface PolarResult {
  /** The orthogonal polar factor `U Vᵀ`, row-major `d × d`. */
  q: Float64Array;
  /** Newton–Schulz steps taken. */
  iterations: number;
  /** Final `max |XᵀX − I|` (unitless). */
  orthogonalityError: number;
}

/** Options of `polarOrthogonal`. */
export interface PolarOptions {
  /** Stop when `max |XᵀX − I|` falls below this (unitless); default 1e-12. */
  tolerance?: number;
  /** Give up after this many steps; default 200. */
  maxIterations?: number;
}

/** Result of `procrustesRotation`. */
export interface ProcrustesResult {
  /** Estimated Q̂ (`d × d`, row-major float64) with `B ≈ A Q̂`. */
  q: Float64Array;
  /** Relative residual ‖A Q̂ − B‖_F / ‖B‖_F (unitless). */
  relativeResidual: number;
  /** Newton–Schulz steps of the polar decomposition. */
  iterations: number;
}

/** One point of the chart. */
export interface RecoveryPoint {
  /** Model label. */
  model: string;
  /** Encryption scheme. */
  scheme: string;
  /** Attack name. */
  attack: string;
  /** Threat model. */
  family: string;
  /** Encrypted tokens observed. */
  observedTokens: number;
  /** Top-1 recovery of the mapping over occurring ids (percent). */
  top1Pct: number;
  /** Top-10 recovery (percent). */
  top10Pct: number;
  /** Held-out prompt tokens decrypted (percent), null when not measured. */
  heldOutPct: number | null;
}

/** Inputs of `homophoneClimbAttack` (many-to-one decryptions over V' encrypted ids). */
export interface HomophoneClimbInput {
  /** Public bigram model over plain ids (proposals; `V` plain ids). */
  model: BigramModel;
  /** Statistics of the observed encrypted traffic over the V' encrypted ids. */
  stats: ObservedStats;
  /** Start decryption, encrypted → plain `[V']` (many-to-one; every observed id in `[0, V)`); not modified. */
  start: Int32Array;
  /** Plain token of each prior slot, most frequent slot first (token t fills k_t slots of c_t / k_t). */
  slotOrder: Int32Array;
  /** The loss maximised: bigram or trigram log-likelihood of the decrypted traffic, with re-assignments. */
  scorer: ReassignScorer;
  /** Fallback candidates appended after the climb's own (e.g. the homophone-aware frequency ranking). */
  fallback?: CandidateRanking;
  /** Share of proposals that swap two ids' tokens (the rest re-assign one id), in [0, 1] (fraction). */
  swapShare: number;
}

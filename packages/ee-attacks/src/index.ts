export { frequencyAttack } from "./attacks/frequency.js";
export { homophoneFrequencyAttack } from "./attacks/frequency-homophonic.js";
export { DEFAULT_GENETIC, geneticAttack } from "./attacks/genetic.js";
export { hiddenStateInversion } from "./attacks/hidden-state.js";
export { DEFAULT_HILL_CLIMB, hillClimbAttack } from "./attacks/hill-climb.js";
export { homophoneClimbAttack } from "./attacks/hill-climb-homophonic.js";
export { logitsOracleMatch, ORACLE_TOP_K, oracleSignatures } from "./attacks/logits-oracle.js";
export { DEFAULT_RANDOM_SEARCH, randomSearchAttack } from "./attacks/random-search.js";
export { anchorsFromTemplate } from "./attacks/template-anchors.js";
export { exactRowMatch } from "./attacks/weights-exact.js";
export { DEFAULT_GRAM_MATCH, gramAnchorMatch } from "./attacks/weights-gram.js";
export { DEFAULT_PROCRUSTES_MATCH, procrustesMatch } from "./attacks/weights-procrustes.js";
export { sortedSignatures, sortedValueMatch } from "./attacks/weights-sorted.js";
export type { AttackContext, AttackOutcome } from "./context.js";
export type { HeldOutContext, HeldOutSplit } from "./held-out.js";
export { BAND_LIMITS, heldOutBreakdown, splitHeldOut } from "./held-out.js";
export { foldRowGain, isUnitGain } from "./linalg/fold-gain.js";
export type { MergedRows } from "./linalg/merge-rows.js";
export { mergeIdenticalRows } from "./linalg/merge-rows.js";
export { nearestAssignment, withMeanLead } from "./linalg/nearest-assign.js";
export { polarOrthogonal } from "./linalg/polar.js";
export { procrustesRotation } from "./linalg/procrustes.js";
export {
  type AssignmentScorer,
  assignmentLogLikelihood,
  bigramScorer,
  swapDelta,
} from "./lm/assignment-score.js";
export { type BigramModel, bigramLogP, buildBigramModel } from "./lm/bigram-model.js";
export { type ObservedStats, observedStats } from "./lm/observed-stats.js";
export { buildTrigramModel, type TrigramModel, trigramLogP } from "./lm/trigram-model.js";
export { type ObservedTrigrams, observedTrigrams, trigramScorer } from "./lm/trigram-score.js";
export { frequencyOrder, tokenCount, truncateCorpus, unigramCounts } from "./lm/unigram.js";
export {
  decryptionOf,
  distinctIds,
  encryptedVocabSize,
  heldOutDecryption,
  scoreDecryption,
  scoreObservations,
  scoreRanking,
  TOP_K,
} from "./metrics.js";
export {
  emptyObservationRanking,
  emptyRanking,
  pushCandidate,
  rankingFromAssignment,
  topGuess,
} from "./ranking.js";
export type { AttackEntry } from "./registry.js";
export { ATTACKS, attackByName } from "./registry.js";
export { renderAttackMarkdown } from "./report/markdown.js";
export { recoveryChartData, recoveryChartSpec } from "./report/vega.js";
export { DEFAULT_SUITE_OPTIONS, priorKindOf, runAttackSuite } from "./suite.js";
export { guessTraffic, type TrafficGuess, type TrafficGuessInput } from "./traffic.js";
export type {
  AnchorPairs,
  AttackFamily,
  AttackReport,
  AttackRow,
  AttackSuiteInput,
  AttackSuiteOptions,
  CandidateRanking,
  DecryptionGuess,
  FrequencyBand,
  GeneticOptions,
  GramMatchOptions,
  GramMatchResult,
  HeldOutBreakdown,
  HiddenStateView,
  HillClimbInput,
  HillClimbOptions,
  HillClimbResult,
  HomophoneClimbInput,
  HomophonicView,
  KnownTemplate,
  Matrix,
  ObservationRanking,
  OracleView,
  PolarOptions,
  PolarResult,
  ProcrustesMatchOptions,
  ProcrustesMatchResult,
  ProcrustesResult,
  RandomSearchOptions,
  RecoveryPoint,
  RecoveryScore,
  RecoveryShare,
  ResidualStatesView,
  SearchResult,
  SeedMatches,
  TextPrior,
  TokenCorpus,
  WeightsView,
} from "./types.js";

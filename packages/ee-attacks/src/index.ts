export type {
  AnchorPairs,
  AttackFamily,
  AttackReport,
  AttackRow,
  AttackSuiteInput,
  AttackSuiteOptions,
  CandidateRanking,
  GeneticOptions,
  HiddenStateView,
  HillClimbOptions,
  KnownTemplate,
  Matrix,
  ObservationRanking,
  RandomSearchOptions,
  RecoveryScore,
  TokenCorpus,
  WeightsView,
} from "./types.js";
export { DEFAULT_SUITE_OPTIONS, runAttackSuite } from "./suite.js";
export { ATTACKS, attackByName } from "./registry.js";
export type { AttackEntry } from "./registry.js";
export type { AttackContext, AttackOutcome } from "./context.js";
export { decryptionOf, distinctIds, heldOutDecryption, scoreObservations, scoreRanking, TOP_K } from "./metrics.js";
export { emptyObservationRanking, emptyRanking, pushCandidate, rankingFromAssignment, topGuess } from "./ranking.js";
export { type DecryptionGuess, frequencyAttack } from "./attacks/frequency.js";
export { DEFAULT_HILL_CLIMB, type HillClimbInput, type HillClimbResult, hillClimbAttack } from "./attacks/hill-climb.js";
export { DEFAULT_RANDOM_SEARCH, randomSearchAttack, type SearchResult } from "./attacks/random-search.js";
export { DEFAULT_GENETIC, geneticAttack } from "./attacks/genetic.js";
export { anchorsFromTemplate } from "./attacks/template-anchors.js";
export { exactRowMatch } from "./attacks/weights-exact.js";
export { sortedSignatures, sortedValueMatch } from "./attacks/weights-sorted.js";
export { DEFAULT_GRAM_MATCH, type GramMatchOptions, type GramMatchResult, gramAnchorMatch } from "./attacks/weights-gram.js";
export { DEFAULT_PROCRUSTES_MATCH, type ProcrustesMatchOptions, type ProcrustesMatchResult, procrustesMatch, type SeedMatches } from "./attacks/weights-procrustes.js";
export { hiddenStateInversion } from "./attacks/hidden-state.js";
export { type BigramModel, bigramLogP, buildBigramModel } from "./lm/bigram-model.js";
export { type ObservedStats, observedStats } from "./lm/observed-stats.js";
export { assignmentLogLikelihood, swapDelta } from "./lm/assignment-score.js";
export { frequencyOrder, tokenCount, truncateCorpus, unigramCounts } from "./lm/unigram.js";
export { type PolarOptions, type PolarResult, polarOrthogonal } from "./linalg/polar.js";
export { type ProcrustesResult, procrustesRotation } from "./linalg/procrustes.js";
export { renderAttackMarkdown } from "./report/markdown.js";
export { type RecoveryPoint, recoveryChartData, recoveryChartSpec } from "./report/vega.js";

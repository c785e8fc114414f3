/**
 * Attacker prior, victim traffic and held-out prompts per model, as plain token ids (encrypt with π
 * afterwards). Victim and attacker text come from disjoint sources / disjoint file ids.
 *
 * - bert-base: IMDB test reviews; prior = ids 0–1249 (2,500 reviews), victim = ids 1250–2399
 *   (2,300), held-out = ids 2400–2499 (200); each review `[CLS] … [SEP]`, at most 512 tokens.
 * - llama-3.1-mini: Marugannwg ShareGPT conversations split by file index: the attacker's prior =
 *   every human→gpt exchange of the even-indexed conversations in the Llama 3.1 chat template
 *   without a system prompt (the ciphertext-only attacker does not know it); victim = every exchange
 *   of the odd-indexed conversations in the template with the application's system prompt;
 *   held-out = MT-Bench first turns with that system prompt. Template + system prompt form the
 *   known-plaintext prefix.
 */
import type { KnownTemplate, TokenCorpus } from "../types.js";
import { imdbReviews, llamaSystemHeader, mtBenchQuestions, shareGptExchanges } from "./corpora.js";
import type { BenchTokenizer } from "./tokenizers.js";

/** Plain-id corpora of one model. */
export interface Workload {
  /** Vocabulary size. */
  vocabSize: number;
  /** Attacker's public prior (plain ids). */
  prior: TokenCorpus;
  /** Victim traffic (plain ids; encrypt before giving it to the attacker). */
  victim: TokenCorpus;
  /** Held-out victim prompts (plain ids). */
  heldOut: TokenCorpus;
  /** The known template (for the known-plaintext attacks). */
  template: KnownTemplate;
}

/** BERT's input length limit (tokens). */
const BERT_MAX_TOKENS = 512;
/** Cap on a chat document's length (tokens). */
const CHAT_MAX_TOKENS = 2048;
/** The victim application's system prompt (written for this bench). */
const SYSTEM_PROMPT = "You are a careful assistant. Answer the user's question accurately and concisely.";

/** IMDB workload for BERT. */
export function bertWorkload(tok: BenchTokenizer, dataDir: string): Workload {
  const { cls, sep } = tok.special;
  const wrap = (name: string, texts: string[]): TokenCorpus => ({
    name,
    docs: texts.map((t) => Int32Array.from([cls, ...tok.encode(t).slice(0, BERT_MAX_TOKENS - 2), sep])),
  });
  return {
    vocabSize: tok.vocabSize,
    prior: wrap("IMDB test reviews ids 0-1249 (pos+neg)", imdbReviews(dataDir, 0, 1250)),
    victim: wrap("IMDB test reviews ids 1250-2399 (pos+neg)", imdbReviews(dataDir, 1250, 2400)),
    heldOut: wrap("IMDB test reviews ids 2400-2499 (pos+neg)", imdbReviews(dataDir, 2400, 2500)),
    template: { description: "[CLS] … [SEP]", prefix: Int32Array.of(cls), suffix: Int32Array.of(sep) },
  };
}

/** ShareGPT / MT-Bench workload for Llama 3.1 (chat template of the mirror's tokenizer_config). */
export function llamaWorkload(tok: BenchTokenizer, dataDir: string): Workload {
  const { bos, startHeader, endHeader, eot } = tok.special;
  const header = (role: string): number[] => [
    startHeader,
    ...tok.encode(role),
    endHeader,
    ...tok.encode("\n\n"),
  ];
  const systemHeader = llamaSystemHeader(dataDir);
  const systemBlock = (system: string): number[] => [
    ...header("system"),
    ...tok.encode(systemHeader + system),
    eot,
  ];
  const prefixFor = (system: string): number[] => [bos, ...systemBlock(system), ...header("user")];
  const assistantHeader = header("assistant");
  const victimPrefix = prefixFor(SYSTEM_PROMPT);
  const cap = (ids: number[]): Int32Array =>
    Int32Array.from(ids.length > CHAT_MAX_TOKENS ? [...ids.slice(0, CHAT_MAX_TOKENS - 1), eot] : ids);

  const exchangeDoc = (prefix: number[], x: { user: string; assistant: string }): Int32Array =>
    cap([...prefix, ...tok.encode(x.user), eot, ...assistantHeader, ...tok.encode(x.assistant), eot]);
  const prior = shareGptExchanges(dataDir, "even");
  const priorPrefix = prefixFor("");
  const victim = shareGptExchanges(dataDir, "odd");
  const held = mtBenchQuestions(dataDir);
  return {
    vocabSize: tok.vocabSize,
    prior: {
      name: `${prior.source}, chat template without system prompt`,
      docs: prior.exchanges.map((x) => exchangeDoc(priorPrefix, x)),
    },
    victim: {
      name: `${victim.source}, chat template + system prompt`,
      docs: victim.exchanges.map((x) => exchangeDoc(victimPrefix, x)),
    },
    heldOut: {
      name: "MT-Bench first turns, chat template + system prompt",
      docs: held.map((q) => cap([...victimPrefix, ...tok.encode(q), eot, ...assistantHeader])),
    },
    template: {
      description: "Llama 3.1 chat template + known system prompt",
      prefix: Int32Array.from(victimPrefix),
      suffix: Int32Array.of(eot),
    },
  };
}

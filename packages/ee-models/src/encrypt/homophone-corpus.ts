/**
 * Where the token counts of a homophonic key come from (the client's choice; `homophones.ts`):
 * - a text file the client names (`--homophones-from FILE`): its non-empty lines, each tokenized by the
 *   plain folder's own tokenizer;
 * - by default, with a tokenizer: the first 1,000 IMDB test reviews of each label (sorted file names)
 *   from the data directory, a corpus the suite already reads;
 * - by default, without a tokenizer (synthetic presets such as llama-tiny): a Zipf law over the ids,
 *   count ∝ 1 / (id + 1) — a stand-in for models with no text behind their ids.
 * Ids outside the model's vocabulary are an error (a tokenizer that does not fit the model).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dataFile } from "../data-dir.js";
import { loadTokenizer } from "../tokenizers/load.js";
import { defaultExtraIds, type HomophoneOptions } from "./homophones.js";

/** Reviews per label of the default corpus (reviews). */
const DEFAULT_REVIEWS_PER_LABEL = 1000;

/** Token counts `[V]` of `texts` under the tokenizer of `plainDir`. */
export async function countTokens(
  plainDir: string,
  texts: readonly string[],
  V: number,
): Promise<Float64Array> {
  const tok = await loadTokenizer(plainDir);
  const counts = new Float64Array(V);
  for (const text of texts) {
    for (const id of tok.encode(text) as number[]) {
      if (!(id >= 0 && id < V))
        throw new Error(
          `homophone corpus: token id ${id} of ${plainDir}'s tokenizer is outside the model's vocabulary (${V})`,
        );
      counts[id]++;
    }
  }
  return counts;
}

/** The non-empty lines of a text file (the corpus a client names). */
export function readCorpusLines(path: string): string[] {
  if (!existsSync(path)) throw new Error(`--homophones-from ${path}: file not found`);
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new Error(`--homophones-from ${path}: no text in the file`);
  return lines;
}

/** The default corpus: the first reviews of each IMDB test label (sorted file names). */
function defaultReviews(): string[] {
  const out: string[] = [];
  for (const label of ["pos", "neg"]) {
    const dir = dataFile(`imdb_aclImdb/test/${label}`);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".txt"))
      .sort()
      .slice(0, DEFAULT_REVIEWS_PER_LABEL);
    for (const f of files) out.push(readFileSync(join(dir, f), "utf8"));
  }
  return out;
}

/** A Zipf law over ids: count ∝ 1 / (id + 1), scaled to a million tokens. */
export function zipfCounts(V: number): Float64Array {
  return Float64Array.from({ length: V }, (_, t) => 1e6 / (t + 1));
}

/** Where the counts came from, and the options for `addHomophones`. */
export interface ResolvedHomophones {
  /** The homophone options. */
  options: HomophoneOptions;
  /** One line naming the corpus, for the user. */
  source: string;
}

/**
 * The homophone options of `plainDir` (vocabulary V): counts from `corpusFile` when given, else the
 * default corpus (see the module comment); `extraIds` default ⌊V/4⌋.
 */
export async function resolveHomophones(
  plainDir: string,
  V: number,
  corpusFile?: string,
  extraIds: number = defaultExtraIds(V),
): Promise<ResolvedHomophones> {
  if (corpusFile !== undefined) {
    const lines = readCorpusLines(corpusFile);
    return {
      options: { counts: await countTokens(plainDir, lines, V), extraIds },
      source: `${corpusFile} (${lines.length} lines)`,
    };
  }
  if (!existsSync(join(plainDir, "tokenizer.json")))
    return { options: { counts: zipfCounts(V), extraIds }, source: "Zipf law over ids (no tokenizer)" };
  const reviews = defaultReviews();
  return {
    options: { counts: await countTokens(plainDir, reviews, V), extraIds },
    source: `IMDB test reviews (first ${DEFAULT_REVIEWS_PER_LABEL} per label)`,
  };
}

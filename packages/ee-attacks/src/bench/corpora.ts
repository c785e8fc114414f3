/**
 * Readers of the public text in the data mirror (see its SOURCES.md). Nothing is copied: texts are
 * read at run time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** IMDB test reviews with file id in `[fromId, toId)`, positive and negative interleaved, `<br />` removed. */
export function imdbReviews(dataDir: string, fromId: number, toId: number): string[] {
  const byClass = ["pos", "neg"].map((cls) => {
    const dir = join(dataDir, "imdb_aclImdb", "test", cls);
    return readdirSync(dir)
      .map((f) => ({ f, id: Number.parseInt(f.split("_")[0], 10) }))
      .filter((x) => x.id >= fromId && x.id < toId)
      .sort((a, b) => a.id - b.id)
      .map((x) => readFileSync(join(dir, x.f), "utf8").replaceAll("<br />", " "));
  });
  const out: string[] = [];
  for (let i = 0; i < Math.max(byClass[0].length, byClass[1].length); i++)
    for (const c of byClass) if (i < c.length) out.push(c[i]);
  return out;
}

interface ShareGptRecord {
  conversations: { from: string; value: string }[];
}

/**
 * Every human → gpt exchange of the Marugannwg ShareGPT conversations whose file index (sorted by
 * name) has the given parity: even = the attacker's half, odd = the victim's half (disjoint
 * conversations of the same source).
 */
export function shareGptExchanges(
  dataDir: string,
  half: "even" | "odd",
): { source: string; exchanges: { user: string; assistant: string }[] } {
  const dir = join(dataDir, "sharegpt_marugannwg", "sampled_enriched_data");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !["sampling_metadata.json", "encoding_progress.json"].includes(f))
    .sort();
  const exchanges: { user: string; assistant: string }[] = [];
  files.forEach((f, index) => {
    if (index % 2 !== (half === "even" ? 0 : 1)) return;
    const turns = (JSON.parse(readFileSync(join(dir, f), "utf8")) as ShareGptRecord).conversations;
    for (let i = 0; i + 1 < turns.length; i++) {
      const [a, b] = [turns[i], turns[i + 1]];
      if (a.from === "human" && b.from === "gpt" && a.value.trim() && b.value.trim())
        exchanges.push({ user: a.value, assistant: b.value });
    }
  });
  return { source: `sharegpt_marugannwg ${half}-indexed conversations, every human→gpt exchange`, exchanges };
}

/** MT-Bench first-turn questions (held-out prompts for chat models). */
export function mtBenchQuestions(dataDir: string): string[] {
  return readFileSync(join(dataDir, "mt_bench", "question.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { turns: string[] }).turns[0]);
}

/**
 * The system-header lines the Llama 3.1 chat template always emits (knowledge cut-off and default
 * date), read from the mirror's `tokenizer_config.json` so that no template text lives in this repo.
 */
export function llamaSystemHeader(dataDir: string): string {
  const path = join(dataDir, "model_files", "llama-3.1-8b-instruct", "tokenizer_config.json");
  const template = (JSON.parse(readFileSync(path, "utf8")) as { chat_template?: string }).chat_template;
  if (typeof template !== "string") throw new Error(`${path}: no chat_template`);
  const cutoff = /\{\{- "(Cutting Knowledge Date:[^"]*)" \}\}/.exec(template);
  const dateLine = /\{\{- "(Today Date: )" \+ date_string \+ "([^"]*)" \}\}/.exec(template);
  const date = /set date_string = "([^"]+)"/.exec(template);
  if (!cutoff || !dateLine || !date)
    throw new Error(`${path}: chat_template has no recognisable system header`);
  const unescapeNewlines = (s: string): string => s.replaceAll("\\n", "\n");
  return (
    unescapeNewlines(cutoff[1]) + unescapeNewlines(dateLine[1]) + date[1] + unescapeNewlines(dateLine[2])
  );
}

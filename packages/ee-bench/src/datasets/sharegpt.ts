/**
 * ShareGPT readers. A conversation is `{id, conversations: [{from, value}, …]}`; its prompt is the
 * first turn, which must be a human turn — conversations that start otherwise are skipped and
 * counted as filtered, as vLLM's benchmark_serving does. Two layouts: a JSON list of conversations
 * in one file, or a folder with one conversation per `<id>.json`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  BenchSample,
  DatasetFormat,
  DatasetIssue,
  FormatReadContext,
  FormatReadResult,
} from "../types.js";
import { relToData } from "./rel-path.js";

/** Roles that count as a human turn. */
const HUMAN_ROLES = new Set(["human", "user"]);

/** What one conversation yields. */
type Parsed = { sample: BenchSample } | { filtered: true } | { issue: string };

function parseConversation(o: unknown, fallbackId: string, dataset: string): Parsed {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return { issue: "not a JSON object" };
  const c = o as Record<string, unknown>;
  const turns = c.conversations;
  if (!Array.isArray(turns)) return { issue: 'missing field "conversations"' };
  if (turns.length === 0) return { issue: '"conversations" is empty' };
  const first = turns[0] as Record<string, unknown> | null;
  if (typeof first !== "object" || first === null) return { issue: '"conversations[0]" is not an object' };
  if (typeof first.from !== "string") return { issue: 'missing field "conversations[0].from"' };
  if (!HUMAN_ROLES.has(first.from)) return { filtered: true };
  if (typeof first.value !== "string") return { issue: 'missing field "conversations[0].value"' };
  if (first.value.trim() === "") return { issue: "empty prompt" };
  const id = typeof c.id === "string" || typeof c.id === "number" ? String(c.id) : fallbackId;
  return { sample: { id, text: first.value, dataset } };
}

function collect(
  parsed: Parsed,
  rows: BenchSample[],
  issues: DatasetIssue[],
  issue: Omit<DatasetIssue, "reason">,
): number {
  if ("sample" in parsed) rows.push(parsed.sample);
  else if ("issue" in parsed) issues.push({ ...issue, reason: parsed.issue });
  else return 1;
  return 0;
}

/** One file holding a JSON list of conversations; an issue's line is the list index + 1. */
async function readShareGptList(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const rel = relToData(ctx.dataDir, absPath);
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(absPath, "utf8"));
  } catch (e) {
    return {
      rows: [],
      issues: [
        { dataset: ctx.dataset, file: rel, reason: `unreadable or bad JSON: ${(e as Error).message}` },
      ],
      filteredCount: 0,
      files: [rel],
    };
  }
  if (!Array.isArray(list)) throw new Error(`${rel}: expected a JSON list of conversations`);
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  let filteredCount = 0;
  list.forEach((o, i) => {
    filteredCount += collect(parseConversation(o, `${rel}#${i}`, ctx.dataset), rows, issues, {
      dataset: ctx.dataset,
      file: rel,
      line: i + 1,
    });
  });
  return { rows, issues, filteredCount, files: [rel] };
}

/** A folder of `<id>.json` files, one conversation each (metadata files without `conversations` skipped). */
async function readShareGptFolder(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const names = readdirSync(absPath)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  const files: string[] = [];
  let filteredCount = 0;
  for (const f of names) {
    const abs = join(absPath, f);
    const rel = relToData(ctx.dataDir, abs);
    let o: unknown;
    try {
      o = JSON.parse(readFileSync(abs, "utf8"));
    } catch (e) {
      issues.push({
        dataset: ctx.dataset,
        file: rel,
        reason: `unreadable or bad JSON: ${(e as Error).message}`,
      });
      continue;
    }
    // Sampling metadata lives beside the conversations; it is not a row.
    if (typeof o === "object" && o !== null && !("conversations" in o) && !("id" in o)) continue;
    files.push(rel);
    filteredCount += collect(parseConversation(o, f.slice(0, -5), ctx.dataset), rows, issues, {
      dataset: ctx.dataset,
      file: rel,
    });
  }
  return { rows, issues, filteredCount, files };
}

/** The ShareGPT formats. */
export const SHAREGPT_FORMATS: readonly DatasetFormat[] = [
  {
    name: "sharegpt-json",
    description: "JSON list of {id, conversations:[{from, value}]}",
    read: readShareGptList,
  },
  { name: "sharegpt-folder", description: "folder of <id>.json conversations", read: readShareGptFolder },
];

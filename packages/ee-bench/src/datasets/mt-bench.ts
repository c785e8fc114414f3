/**
 * MT-Bench `question.jsonl`: one JSON object per line `{question_id, category, turns: [t1, t2]}`.
 * The prompt is `turns[0]` by default, `turns[1]` with `turn: 2`.
 */
import { readFileSync } from "node:fs";
import type {
  BenchSample,
  DatasetFormat,
  DatasetIssue,
  FormatReadContext,
  FormatReadResult,
} from "../types.js";
import { relToData } from "./rel-path.js";

async function readMtBench(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const rel = relToData(ctx.dataDir, absPath);
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  const lines = readFileSync(absPath, "utf8").split("\n");
  /** The prompt of one line, or why the line is malformed. */
  const parse = (raw: string): BenchSample | string => {
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (e) {
      return `bad JSON: ${(e as Error).message}`;
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) return "not a JSON object";
    const q = o as Record<string, unknown>;
    if (!Array.isArray(q.turns)) return 'missing field "turns"';
    const prompt = q.turns[ctx.turn - 1];
    if (typeof prompt !== "string") return `"turns[${ctx.turn - 1}]" is missing or not a string`;
    if (prompt.trim() === "") return `empty prompt in "turns[${ctx.turn - 1}]"`;
    const id = q.question_id;
    if (typeof id !== "number" && typeof id !== "string") return 'missing field "question_id"';
    return { id: String(id), text: prompt, dataset: ctx.dataset };
  };
  lines.forEach((raw, i) => {
    if (raw.trim() === "") return;
    const r = parse(raw);
    if (typeof r === "string") issues.push({ dataset: ctx.dataset, file: rel, line: i + 1, reason: r });
    else rows.push(r);
  });
  return { rows, issues, filteredCount: 0, files: [rel] };
}

/** The MT-Bench format. */
export const MT_BENCH_FORMATS: readonly DatasetFormat[] = [
  {
    name: "mt-bench-jsonl",
    description: "MT-Bench question.jsonl (turns[0] or turns[1] as the prompt)",
    read: readMtBench,
  },
];

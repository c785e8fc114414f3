/**
 * IMDB readers: the aclImdb folder layout (`<dir>/test/{pos,neg}/<id>_<rating>.txt`, label from the
 * folder: pos = 1, neg = 0), Hugging Face parquet (columns `text`, `label`) and CSV
 * (`review,sentiment` with positive/negative, or `text,label` with 1/0).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import type {
  BenchSample,
  DatasetFormat,
  DatasetIssue,
  FormatReadContext,
  FormatReadResult,
} from "../types.js";
import { parseCsv } from "./csv.js";
import { relToData } from "./rel-path.js";

/** Label of each aclImdb class folder. */
const ACL_LABELS: ReadonlyArray<readonly [string, number]> = [
  ["pos", 1],
  ["neg", 0],
];

/** aclImdb: `absPath` is the dataset root (holding `test/`) or a split folder (holding `pos/`, `neg/`). */
async function readAclImdb(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const split = existsSync(join(absPath, "pos")) ? absPath : join(absPath, "test");
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  const files: string[] = [];
  for (const [folder, label] of ACL_LABELS) {
    const dir = join(split, folder);
    if (!existsSync(dir)) {
      throw new Error(
        `${dir} is missing: the aclImdb layout needs ${join(split, "pos")} and ${join(split, "neg")} holding <id>_<rating>.txt files`,
      );
    }
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".txt"))
      .map((f) => ({ f, m: /^(\d+)_(\d+)\.txt$/.exec(f) }))
      .sort((a, b) => (a.m && b.m ? Number(a.m[1]) - Number(b.m[1]) : a.f < b.f ? -1 : 1));
    for (const { f, m } of names) {
      const abs = join(dir, f);
      const rel = relToData(ctx.dataDir, abs);
      if (!m) {
        issues.push({ dataset: ctx.dataset, file: rel, reason: "file name is not <id>_<rating>.txt" });
        continue;
      }
      let text: string;
      try {
        text = readFileSync(abs, "utf8");
      } catch (e) {
        issues.push({ dataset: ctx.dataset, file: rel, reason: `unreadable: ${(e as Error).message}` });
        continue;
      }
      files.push(rel);
      if (text.trim() === "") {
        issues.push({ dataset: ctx.dataset, file: rel, line: 1, reason: "empty review" });
        continue;
      }
      rows.push({ id: `${folder}/${m[1]}_${m[2]}`, text, label, dataset: ctx.dataset });
    }
  }
  return { rows, issues, filteredCount: 0, files };
}

/** Maps a CSV/parquet label cell to 0/1, or undefined when it is not a label. */
function parseLabel(v: unknown): number | undefined {
  if (typeof v === "bigint") v = Number(v);
  if (v === 0 || v === 1) return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "1" || s === "positive" || s === "pos") return 1;
    if (s === "0" || s === "negative" || s === "neg") return 0;
  }
  return undefined;
}

/** Column pairs accepted in CSV headers: [text column, label column]. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["review", "sentiment"],
  ["text", "label"],
];

/** CSV with a header `review,sentiment` or `text,label`; line numbers are the record's first line. */
async function readImdbCsv(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const rel = relToData(ctx.dataDir, absPath);
  const records = parseCsv(readFileSync(absPath, "utf8"));
  if (records.length === 0) throw new Error(`${rel}: empty CSV file`);
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const pair = CSV_COLUMNS.find(([t, l]) => header.includes(t) && header.includes(l));
  if (!pair) {
    throw new Error(
      `${rel}:1: header must have columns review,sentiment or text,label; found ${header.join(",")}`,
    );
  }
  const ti = header.indexOf(pair[0]);
  const li = header.indexOf(pair[1]);
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  for (const r of records.slice(1)) {
    const bad = (reason: string) => issues.push({ dataset: ctx.dataset, file: rel, line: r.line, reason });
    if (r.error) bad(r.error);
    else if (r.fields.length !== header.length) bad(`${r.fields.length} fields, header has ${header.length}`);
    else if (r.fields[ti].trim() === "") bad(`empty ${pair[0]}`);
    else {
      const label = parseLabel(r.fields[li]);
      if (label === undefined) bad(`${pair[1]} "${r.fields[li]}" is not positive/negative or 1/0`);
      else rows.push({ id: `L${r.line}`, text: r.fields[ti], label, dataset: ctx.dataset });
    }
  }
  return { rows, issues, filteredCount: 0, files: [rel] };
}

/** Hugging Face parquet with columns `text` and `label`; "line" is the row index + 1. */
async function readImdbParquet(absPath: string, ctx: FormatReadContext): Promise<FormatReadResult> {
  const rel = relToData(ctx.dataDir, absPath);
  let objects: Record<string, unknown>[];
  try {
    const file = await asyncBufferFromFile(absPath);
    objects = (await parquetReadObjects({ file, columns: ["text", "label"] })) as Record<string, unknown>[];
  } catch (e) {
    throw new Error(`${rel}: cannot read as parquet with columns text,label (${(e as Error).message})`);
  }
  const rows: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  objects.forEach((o, i) => {
    const bad = (reason: string) =>
      issues.push({ dataset: ctx.dataset, file: rel, line: i + 1, reason: `row ${i}: ${reason}` });
    const label = parseLabel(o.label);
    if (typeof o.text !== "string" || o.text.trim() === "") bad("missing or empty text");
    else if (label === undefined) bad(`label ${String(o.label)} is not 0/1`);
    else rows.push({ id: `R${i}`, text: o.text, label, dataset: ctx.dataset });
  });
  return { rows, issues, filteredCount: 0, files: [rel] };
}

/** The IMDB formats. */
export const IMDB_FORMATS: readonly DatasetFormat[] = [
  { name: "aclimdb", description: "aclImdb folders test/{pos,neg}/<id>_<rating>.txt", read: readAclImdb },
  { name: "imdb-csv", description: "CSV review,sentiment or text,label", read: readImdbCsv },
  { name: "imdb-parquet", description: "Hugging Face parquet, columns text,label", read: readImdbParquet },
];

/** True when `absPath` is a folder (used to guess the format). */
export function isDir(absPath: string): boolean {
  return existsSync(absPath) && statSync(absPath).isDirectory();
}

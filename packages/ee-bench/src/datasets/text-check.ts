/**
 * Text that is not text: a dataset row whose bytes were not valid UTF-8 (decoded to U+FFFD) or that
 * holds control characters (NUL, …) came from a binary or corrupted file. Such rows are dropped and
 * reported as issues with counts, never benchmarked as if they were reviews or prompts.
 */
import type { BenchSample, DatasetIssue } from "../types.js";

/** Why `text` is not usable text, or undefined when it is. */
export function undecodableReason(text: string): string | undefined {
  let replacement = 0;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd) replacement++;
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) control++;
  }
  if (replacement === 0 && control === 0) return undefined;
  return `not text: ${replacement} invalid UTF-8 sequence(s), ${control} control character(s) (binary or corrupted file?)`;
}

/** Splits `rows` into usable ones and issues (one per dropped row, naming the sample id). */
export function dropUndecodable(rows: BenchSample[]): { rows: BenchSample[]; issues: DatasetIssue[] } {
  const kept: BenchSample[] = [];
  const issues: DatasetIssue[] = [];
  for (const r of rows) {
    const reason = undecodableReason(r.text);
    if (reason === undefined) kept.push(r);
    else issues.push({ dataset: r.dataset, file: `sample ${r.id}`, reason });
  }
  return { rows: kept, issues };
}

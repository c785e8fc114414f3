/**
 * `samples.jsonl`: one record per timed call, written pair by pair (VI and EE of one call in one
 * write) and fsynced, so an interrupted run loses at most the pair in flight. On reopening, a torn
 * last line and a record without its partner are dropped (with a warning) and re-measured.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { SampleRecord } from "../types.js";
import { WARNINGS } from "../warnings.js";

/** `row/rep/call`: the identity of an interleaved pair. */
export function pairKey(r: Pick<SampleRecord, "row" | "rep" | "call">): string {
  return `${r.row}/${r.rep}/${r.call}`;
}

function checkRecord(o: unknown, where: string): SampleRecord {
  const r = o as SampleRecord;
  const ok =
    typeof o === "object" &&
    o !== null &&
    r.v === 1 &&
    typeof r.row === "string" &&
    Number.isInteger(r.rep) &&
    Number.isInteger(r.call) &&
    (r.target === "vi" || r.target === "ee") &&
    typeof r.latencyMs === "number" &&
    Array.isArray(r.sampleIds) &&
    Array.isArray(r.predicted) &&
    Array.isArray(r.confidence);
  if (!ok)
    throw new Error(
      `${where}: not a sample record (v, row, rep, call, target, latencyMs, sampleIds, predicted, confidence)`,
    );
  return r;
}

/** What reading a samples file found. */
export interface ReadRecordsResult {
  /** Records of complete pairs, in file order. */
  records: SampleRecord[];
  /** True when lines were dropped (torn last line or unpaired records): the file should be rewritten. */
  dirty: boolean;
}

/**
 * Reads `samples.jsonl`. A torn last line and unpaired records are dropped with a warning; a bad
 * line elsewhere is an Error naming file:line (the file is corrupt, not interrupted).
 */
export function readSampleRecords(path: string, warn: (line: string) => void = () => {}): ReadRecordsResult {
  if (!existsSync(path)) return { records: [], dirty: false };
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const parsed: SampleRecord[] = [];
  let dirty = false;
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const isLast = i === lines.length - 1; // no newline after it: the write was cut
    try {
      parsed.push(checkRecord(JSON.parse(line), `${path}:${i + 1}`));
    } catch (e) {
      if (isLast) {
        warn(WARNINGS.truncatedRecord(path, i + 1));
        dirty = true;
        return;
      }
      throw new Error(`${path}:${i + 1}: corrupt record (${(e as Error).message})`);
    }
  });
  const byKey = new Map<string, SampleRecord[]>();
  for (const r of parsed) {
    const k = pairKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const complete = new Set<string>();
  for (const [k, rs] of byKey) {
    const targets = rs.map((r) => r.target).sort();
    if (targets.length === 2 && targets[0] === "ee" && targets[1] === "vi") complete.add(k);
    else if (targets.length === 1) {
      warn(WARNINGS.unpairedRecord(path, k));
      dirty = true;
    } else
      throw new Error(
        `${path}: pair ${k} has ${targets.length} records (${targets.join(", ")}); expected one vi and one ee`,
      );
  }
  return { records: parsed.filter((r) => complete.has(pairKey(r))), dirty };
}

/** Appends pairs to `samples.jsonl`, fsyncing each. */
export class SamplesLog {
  private fd: number;
  private readonly done: Set<string>;
  private readonly byRow = new Map<string, SampleRecord[]>();
  /** Records already present when the log was opened (complete pairs). */
  readonly existing: readonly SampleRecord[];

  /** Opens (creating or cleaning) `path`. */
  constructor(
    readonly path: string,
    warn: (line: string) => void = () => {},
  ) {
    const { records, dirty } = readSampleRecords(path, warn);
    if (dirty) {
      const tmp = `${path}.tmp`;
      const fd = openSync(tmp, "w");
      writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, path);
    }
    this.existing = records;
    this.done = new Set(records.map(pairKey));
    for (const r of records) this.remember(r);
    this.fd = openSync(path, "a");
  }

  /** True when the pair `row/rep/call` is already recorded. */
  has(row: string, rep: number, call: number): boolean {
    return this.done.has(pairKey({ row, rep, call }));
  }

  /** Writes both records of a pair in one write and fsyncs. */
  appendPair(a: SampleRecord, b: SampleRecord): void {
    writeSync(this.fd, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    fsyncSync(this.fd);
    this.done.add(pairKey(a));
    this.remember(a);
    this.remember(b);
  }

  /** Every record of `row` in the log, existing and appended, in file order. */
  recordsOf(row: string): readonly SampleRecord[] {
    return this.byRow.get(row) ?? [];
  }

  private remember(r: SampleRecord): void {
    const list = this.byRow.get(r.row);
    if (list) list.push(r);
    else this.byRow.set(r.row, [r]);
  }

  /** Closes the file. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * `ee run smoke` end to end, as CI runs it: real tiny models are built, encrypted and timed (VI vs EE,
 * interleaved), and every output file is written. The test parses each one.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { compile } from "vega-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/datasets/csv.js";
import { TABLE_COLUMNS } from "../../src/report/table.js";
import type { RunSummary } from "../../src/types.js";

const EE = new URL("../../bin/ee.js", import.meta.url).pathname;
const SUITE = new URL("../../../../benchmarks/smoke.json", import.meta.url).pathname;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let reports: string;
let runDir: string;
let stdout: string;

beforeAll(async () => {
  reports = mkdtempSync(join(tmpdir(), "ee-smoke-"));
  const r = await promisify(execFile)(process.execPath, [EE, "run", "smoke", "--out", reports], {
    maxBuffer: 1 << 26,
  });
  stdout = r.stdout;
  runDir = join(reports, "latest");
});

afterAll(() => rmSync(reports, { recursive: true, force: true }));

describe("ee run smoke", () => {
  it("prints Table 2 and writes every report file", () => {
    expect(stdout).toMatch(
      /\| Model \| runtime \| bs \| VI \(s\) \| EE \(s\) \| ΔT \(%\) \| Fid \(%\) \| ΔT Std \(%\) \|/,
    );
    for (const f of [
      "config.json",
      "env.json",
      "samples.jsonl",
      "summary.json",
      "table.csv",
      "table.md",
      "index.html",
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
  });

  it("every suite row is summarised with full argmax agreement between VI and EE", () => {
    const suite = JSON.parse(readFileSync(SUITE, "utf8")) as { rows: { id: string }[] };
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
    expect(summary.rows.map((r) => r.row)).toEqual(suite.rows.map((r) => r.id));
    for (const row of summary.rows) {
      expect(row.argmaxAgreementPct, row.row).toBe(100);
      expect(row.maxAbsLogitDiff, row.row).toBeLessThan(1e-4);
      expect(row.fidelityPct, row.row).toBeGreaterThan(99.999);
      expect(row.completeReps, row.row).toBeGreaterThanOrEqual(3);
    }
    const records = readFileSync(join(runDir, "samples.jsonl"), "utf8").trim().split("\n");
    for (const line of records) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("table.csv has the paper's columns, one line per row", () => {
    const recs = parseCsv(readFileSync(join(runDir, "table.csv"), "utf8"));
    expect(recs[0].fields).toEqual([...TABLE_COLUMNS]);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as RunSummary;
    expect(recs).toHaveLength(summary.rows.length + 1);
  });

  it("charts: each Vega-Lite spec compiles and has an SVG and a PNG rendering", () => {
    const charts = join(runDir, "charts");
    const specs = readdirSync(charts).filter((f) => f.endsWith(".vl.json"));
    expect(specs.length).toBeGreaterThanOrEqual(4);
    const html = readFileSync(join(runDir, "index.html"), "utf8");
    for (const spec of specs) {
      const stem = spec.slice(0, -".vl.json".length);
      expect(() => compile(JSON.parse(readFileSync(join(charts, spec), "utf8")))).not.toThrow();
      expect(readFileSync(join(charts, `${stem}.svg`), "utf8")).toMatch(/^<svg/);
      expect([...readFileSync(join(charts, `${stem}.png`)).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(html).toContain(stem);
    }
  });
});

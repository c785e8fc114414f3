import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "vega-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/datasets/csv.js";
import { TABLE_COLUMNS } from "../../src/report/table.js";
import { writeReport } from "../../src/report/write-report.js";
import { runSuite } from "../../src/runner/run-suite.js";
import type { RunSummary } from "../../src/types.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

let runDir: string;
let reportsDir: string;
let summary: RunSummary;

beforeAll(async () => {
  const { dataDir, manifestDir } = fixtureData();
  reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-rep-"));
  const clock = new FakeClock();
  const r = await runSuite({
    suite: fixtureSuite(),
    dataDir,
    manifestDir,
    reportsDir,
    cacheDir: "/x",
    factory: fakeFactory({ clock, eeSlowdown: 0.01 }),
    clock: clock.now,
    progressStream: { write: () => true },
    log: () => {},
  });
  runDir = r.runDir;
  summary = r.summary;
});

describe("run outputs", () => {
  it("writes every file, and reports/latest points at the run", () => {
    for (const f of [
      "config.json",
      "env.json",
      "samples.jsonl",
      "summary.json",
      "table.csv",
      "table.md",
      "index.html",
      "datasets.json",
      "microbench.json",
    ]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    expect(readlinkSync(join(reportsDir, "latest"))).toBe(runDir.split("/").pop());
    const env = JSON.parse(readFileSync(join(runDir, "env.json"), "utf8"));
    for (const k of [
      "cpuModel",
      "cores",
      "memoryBytes",
      "os",
      "node",
      "engines",
      "gitCommit",
      "gitDirty",
      "dataDir",
      "startedAt",
      "endedAt",
    ]) {
      expect(env, k).toHaveProperty(k);
    }
  });

  it("summary: ΔT, its sd and interval, fidelity, agreement, Δlogit, dataset issues", () => {
    expect(summary.rows.map((r) => r.row)).toEqual(["cls", "gen-bs2"]);
    for (const r of summary.rows) {
      expect(r.completeReps).toBe(3);
      expect(r.deltaTPct).toBeCloseTo(1, 1); // the fake EE is 1 % slower
      expect(r.deltaTCi95Pct[0]).toBeLessThanOrEqual(r.deltaTPct + 1e-9);
      expect(r.deltaTCi95Pct[1]).toBeGreaterThanOrEqual(r.deltaTPct - 1e-9);
      expect(r.argmaxAgreementPct).toBe(100);
      expect(r.fidelityPct).toBeGreaterThan(99.99);
      expect(r.fidelityPct).toBeLessThan(100);
      expect(r.maxAbsLogitDiff).toBeGreaterThan(0);
      expect(r.maxAbsLogitDiff).toBeLessThan(1e-6);
      expect(r.microbench.map((m) => m.target)).toEqual(["vi", "ee"]);
    }
    expect(summary.rows[1].samplesPerRep).toBe(10);
    expect(summary.datasetIssues).toEqual([
      { dataset: "sharegpt", file: "sg/a.json", line: 6, reason: 'missing field "conversations"' },
    ]);
    expect(summary.warnings.some((w) => /sharegpt: 1 malformed row.*sg\/a\.json:6/.test(w))).toBe(true);
  });

  it("table.csv has the paper's columns and one line per row", () => {
    const recs = parseCsv(readFileSync(join(runDir, "table.csv"), "utf8"));
    expect(recs[0].fields).toEqual([...TABLE_COLUMNS]);
    expect(recs[0].fields.slice(0, 8)).toEqual([
      "Model",
      "runtime",
      "bs",
      "VI (s)",
      "EE (s)",
      "ΔT (%)",
      "Fid (%)",
      "ΔT Std (%)",
    ]);
    expect(recs).toHaveLength(3);
    const cls = Object.fromEntries(recs[0].fields.map((c, i) => [c, recs[1].fields[i]]));
    expect(Number(cls["VI (s)"])).toBeCloseTo(summary.rows[0].viSec, 3);
    expect(cls["paper ΔT (%)"]).toBe("-0.64");
    expect(cls["paper ΔT from VI/EE (%)"]).toBe("+0.64");
    const md = readFileSync(join(runDir, "table.md"), "utf8");
    expect(md).toMatch(/\| Classifier \| ORT \| 1 \|/);
    // The per-call latency section: interleaved-loop percentiles and tinybench's 5 calls per target.
    expect(md).toMatch(/## Per-call latency/);
    expect(md).toMatch(/\| cls \| EE \| [\d.]+ \| [\d.]+ \| 5 \| [\d.]+ \|/);
  });

  it("charts: specs compile with vega-lite; SVG and PNG rendered; index.html shows them", () => {
    const files = readdirSync(join(runDir, "charts"));
    const stems = files.filter((f) => f.endsWith(".vl.json")).map((f) => f.slice(0, -8));
    expect(stems.sort()).toEqual(["delta-t", "fidelity", "latency-distribution", "latency-scatter"]);
    const html = readFileSync(join(runDir, "index.html"), "utf8");
    for (const s of stems) {
      const spec = JSON.parse(readFileSync(join(runDir, "charts", `${s}.vl.json`), "utf8"));
      expect(compile(spec).spec.marks?.length ?? 0).toBeGreaterThan(0);
      const png = readFileSync(join(runDir, "charts", `${s}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(readFileSync(join(runDir, "charts", `${s}.svg`), "utf8")).toMatch(/^<svg /);
      expect(html).toContain(`charts/${s}.svg`);
    }
    expect(html).toContain("<table>");
    expect(summary.warnings.filter((w) => /rendering failed/.test(w))).toEqual([]);
  });

  it("ee table regenerates the same summary from samples.jsonl", async () => {
    const again = await writeReport(runDir, { render: false });
    expect({ ...again, warnings: [] }).toEqual({ ...summary, warnings: [] });
  });
});

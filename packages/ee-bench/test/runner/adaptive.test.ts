import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRun } from "../../src/compare/compare.js";
import { TABLE_COLUMNS, tableRows } from "../../src/report/table.js";
import { adaptiveDecision, formatStop } from "../../src/runner/adaptive.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { readSampleRecords } from "../../src/runner/samples-log.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

describe("adaptive stop rule", () => {
  const s = { reps: 4, targetPct: 0.5, elapsedSec: 10, lastRepSec: 2, budgetSec: 20 };
  it("stops when the half-width reaches the target, even with budget left", () => {
    expect(adaptiveDecision({ ...s, halfWidthPct: 0.5 })).toEqual({
      kind: "target-met",
      reps: 4,
      halfWidthPct: 0.5,
    });
  });
  it("continues while above the target and another repetition fits the budget", () => {
    expect(adaptiveDecision({ ...s, halfWidthPct: 0.51 })).toEqual({ kind: "continue" });
    expect(adaptiveDecision({ ...s, halfWidthPct: 0.9, elapsedSec: 18 })).toEqual({ kind: "continue" }); // 18 + 2 = 20: fits
  });
  it("stops when the next repetition would pass the budget, and says where it got", () => {
    const d = adaptiveDecision({ ...s, halfWidthPct: 0.9, elapsedSec: 18.5 });
    expect(d).toEqual({ kind: "budget-ended", reps: 4, halfWidthPct: 0.9 });
    expect(formatStop(d as Exclude<typeof d, { kind: "continue" }>)).toBe("budget ended at ±0.90 % (R=4)");
    expect(formatStop({ kind: "target-met", reps: 7, halfWidthPct: 0.42 })).toBe(
      "target met at R=7 (±0.42 %)",
    );
  });
  it("without a half-width yet (fewer than 2 repetitions) only the budget can stop it", () => {
    expect(adaptiveDecision({ ...s, reps: 1, halfWidthPct: undefined })).toEqual({ kind: "continue" });
    expect(adaptiveDecision({ ...s, reps: 1, halfWidthPct: undefined, elapsedSec: 19 }).kind).toBe(
      "budget-ended",
    );
  });
});

/** One adaptive run of the fixture's classifier row with fake targets on a fake clock. */
async function adaptiveRun(target: number, budgetSec: number, eeJitter: number) {
  const { dataDir, manifestDir } = fixtureData();
  const suite = fixtureSuite();
  suite.microbenchIterations = 0;
  suite.rows = [{ ...suite.rows[0], targetHalfWidthPct: target, budgetSec }];
  const clock = new FakeClock();
  const lines: string[] = [];
  const r = await runSuite({
    suite,
    dataDir,
    manifestDir,
    reportsDir: mkdtempSync(join(tmpdir(), "ee-bench-adaptive-")),
    cacheDir: "/x",
    factory: fakeFactory({ clock, eeSlowdown: 0.02, eeJitter }),
    clock: clock.now,
    progressStream: { write: () => true },
    log: (l) => lines.push(l),
    render: false,
  });
  return { ...r, lines, row: r.summary.rows[0] };
}

describe("adaptive repetitions in the runner", () => {
  it("a noiseless row meets its target at the minimum repetitions", async () => {
    const { row } = await adaptiveRun(0.5, 60, 0);
    expect(row.completeReps).toBe(3);
    expect(row.stop).toMatchObject({ kind: "target-met", reps: 3 });
    expect(row.paired?.deltaTPct).toBeCloseTo(2, 2);
  });

  it("a noisy row adds repetitions until its target is met", async () => {
    const { row, lines } = await adaptiveRun(1, 1000, 0.2);
    expect(row.completeReps).toBeGreaterThan(3);
    expect(row.stop?.kind).toBe("target-met");
    expect(row.paired!.halfWidthPct).toBeLessThanOrEqual(1);
    expect(lines.some((l) => /row cls: target met at R=\d+/.test(l))).toBe(true);
  });

  it("an unreachable target stops at the budget, with every repetition complete", async () => {
    // One repetition of the 6-sample row takes ≈ 0.12 s on the fake clock: a 1 s budget fits ≈ 8.
    const { row, runDir } = await adaptiveRun(0.001, 1, 0.2);
    expect(row.stop?.kind).toBe("budget-ended");
    expect(row.completeReps).toBeGreaterThan(3);
    expect(row.completeReps).toBeLessThan(12);
    const recs = readSampleRecords(join(runDir, "samples.jsonl")).records;
    expect(recs).toHaveLength(2 * 6 * row.completeReps); // no partial repetition
  });

  it("an interrupted adaptive row is 'incomplete', not 'budget ended'", async () => {
    const { runDir } = await adaptiveRun(0.5, 60, 0);
    const file = join(runDir, "samples.jsonl");
    const kept = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l && JSON.parse(l).rep < 2);
    writeFileSync(file, `${kept.join("\n")}\n`);
    const { summary } = loadRun(runDir);
    expect(summary.rows[0].completeReps).toBe(2);
    expect(summary.rows[0].stop).toBeUndefined();
    expect(tableRows(summary)[0][TABLE_COLUMNS.indexOf("stop")]).toBe("incomplete: R=2 of ≥ 3");
  });
});

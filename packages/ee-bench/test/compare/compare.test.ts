import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { compareCommand } from "../../src/cli/compare.js";
import { compareRuns, formatCompare } from "../../src/compare/compare.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

let runA: string;
let runB: string;

async function fakeRun(reportsDir: string, runId: string, eeSlowdown: number): Promise<string> {
  const { dataDir, manifestDir } = fixtureData();
  const suite = fixtureSuite();
  suite.microbenchIterations = 0;
  const clock = new FakeClock();
  const r = await runSuite({
    suite,
    dataDir,
    manifestDir,
    reportsDir,
    runId,
    cacheDir: "/x",
    factory: fakeFactory({ clock, eeSlowdown }),
    clock: clock.now,
    progressStream: { write: () => true },
    log: () => {},
    render: false,
  });
  return r.runDir;
}

beforeAll(async () => {
  const reports = mkdtempSync(join(tmpdir(), "ee-bench-cmp-"));
  runA = await fakeRun(reports, "a", 0.001); // ΔT +0.1 %
  runB = await fakeRun(reports, "b", 0.03); // ΔT +3 %
});

afterEach(() => vi.restoreAllMocks());

describe("compare", () => {
  it("reports the ΔT change per row with test p-values", () => {
    const c = compareRuns(runA, runB);
    expect(c.rows.map((r) => r.row)).toEqual(["cls", "gen-bs2"]);
    for (const r of c.rows) {
      expect(r.deltaTPctA).toBeCloseTo(0.1, 2);
      expect(r.deltaTPctB).toBeCloseTo(3, 2);
      expect(r.changePts).toBeCloseTo(2.9, 2);
      expect(r.totalsDeltaTPctB).toBeCloseTo(3, 2);
      expect(r.failed).toBe(false);
    }
    expect(c.missing).toEqual([]);
    expect(formatCompare(c)).toMatch(
      /cls\s+\+0\.10\s+\[\+0\.10, \+0\.10\]\s+\+3\.00\s+\[\+3\.00, \+3\.00\]\s+\+2\.90/,
    );
  });

  it("--fail-above: exit 1 when a row's ΔT rose by more, 0 otherwise, 0 without the flag", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await compareCommand(runA, runB, { failAbove: 1 })).toBe(1);
    expect(await compareCommand(runA, runB, { failAbove: 5 })).toBe(0);
    expect(await compareCommand(runA, runB, {})).toBe(0);
    expect(await compareCommand(runB, runA, { failAbove: 0 })).toBe(0); // b → a got better
    expect(await compareCommand(runA, runB, { failAbove: 1, json: true })).toBe(1);
    const json = JSON.parse(String(out.mock.calls.at(-1)?.[0]));
    expect(json.rows.every((r: { failed: boolean }) => r.failed)).toBe(true);
    await expect(compareCommand(runA, runB, { failAbove: -1 })).rejects.toThrow(
      /--fail-above must be a number ≥ 0/,
    );
  });

  /** A copy of run b whose samples.jsonl keeps only the records `keep` accepts. */
  function damagedCopy(name: string, keep: (r: { row: string; rep: number }) => boolean): string {
    const dir = join(runB, "..", name);
    cpSync(runB, dir, { recursive: true });
    const file = join(dir, "samples.jsonl");
    const lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l && keep(JSON.parse(l)));
    writeFileSync(file, `${lines.join("\n")}\n`);
    return dir;
  }

  it("--fail-above also fails when the candidate lacks a row or repetitions", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const noRow = damagedCopy("no-row", (r) => r.row !== "gen-bs2");
    const c = compareRuns(runB, noRow, 5);
    expect(c.rows.map((r) => r.row)).toEqual(["cls"]);
    expect(c.missing).toEqual([`row gen-bs2: not in ${noRow}`]);
    expect(await compareCommand(runB, noRow, { failAbove: 5 })).toBe(1);
    expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/candidate incomplete: row gen-bs2: not in/);
    expect(await compareCommand(runB, noRow, {})).toBe(0); // not gating: reported, not failed

    const noRep = damagedCopy("no-rep", (r) => !(r.row === "cls" && r.rep === 2));
    const d = compareRuns(runB, noRep, 5);
    expect(d.missing).toEqual([`row cls: 2 of the 3 repetitions its suite asks for in ${noRep}`]);
    expect(d.rows.find((r) => r.row === "cls")?.failed).toBe(false); // ΔT itself unchanged
    expect(await compareCommand(runB, noRep, { failAbove: 5 })).toBe(1);

    const oneRep = damagedCopy("one-rep", (r) => !(r.row === "cls" && r.rep > 0));
    expect(compareRuns(runB, oneRep, 5).missing).toEqual([
      `row cls: 1 complete repetition(s) in ${oneRep}, no paired ΔT (needs ≥ 2)`,
    ]);
    expect(await compareCommand(runB, runB, { failAbove: 0 })).toBe(0); // complete and equal: passes
  });
});

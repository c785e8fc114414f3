import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { compareCommand } from "../../src/cli/compare.js";
import { formatCompare } from "../../src/compare/compare.js";
import { compareRowPair } from "../../src/compare/row-pair.js";
import { fakeNightly } from "../history/history-fixture.js";

let run: string;
let other: string;

beforeAll(async () => {
  const reports = mkdtempSync(join(tmpdir(), "ee-bench-rowpair-"));
  run = await fakeNightly(reports, "one", 0.03, 0); // cls: ΔT ≈ +3 %, its A/A control ≈ 0
  other = await fakeNightly(reports, "two", 0.001, 0); // cls ≈ +0.1 %
}, 60_000);

afterEach(() => vi.restoreAllMocks());

describe("compare two rows", () => {
  it("two variants of one model inside one run, with the paired estimator", () => {
    const c = compareRowPair(run, "cls-aa", run, "cls");
    expect(c.rows).toHaveLength(1);
    const r = c.rows[0];
    expect(r.row).toBe("cls-aa → cls");
    expect(r.deltaTPctA).toBeGreaterThan(-0.5);
    expect(r.deltaTPctA).toBeLessThan(0.5);
    expect(r.deltaTPctB).toBeGreaterThan(2.5);
    expect(r.deltaTPctB).toBeLessThan(3.5);
    expect(r.changePts).toBeCloseTo(r.deltaTPctB - r.deltaTPctA, 10);
    expect(r.welchP).toBeLessThan(0.01);
    expect(formatCompare(c)).toContain("cls-aa → cls");
  });

  it("a row of one run against a row of another", () => {
    const c = compareRowPair(other, "cls", run, "cls", 1);
    expect(c.rows[0].changePts).toBeGreaterThan(2.4);
    expect(c.rows[0].failed).toBe(true);
  });

  it("ee compare --rows: one run folder is enough; the gate applies; bad input is named", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await compareCommand(run, undefined, { rows: "cls-aa,cls", failAbove: 1 })).toBe(1);
    expect(await compareCommand(run, undefined, { rows: "cls,cls-aa", failAbove: 1 })).toBe(0);
    await expect(compareCommand(run, undefined, {})).rejects.toThrow(/--rows base,candidate/);
    await expect(compareCommand(run, undefined, { rows: "cls" })).rejects.toThrow(
      /--rows must be two row ids/,
    );
    await expect(compareCommand(run, undefined, { rows: "cls,nope" })).rejects.toThrow(/no row "nope"/);
  });

  it("refuses rows of different models", () => {
    const dir = `${run}-othermodel`;
    cpSync(run, dir, { recursive: true });
    const file = join(dir, "config.json");
    const cfg = JSON.parse(readFileSync(file, "utf8"));
    cfg.suite.rows[1].model = "fake-roberta";
    writeFileSync(file, JSON.stringify(cfg));
    expect(() => compareRowPair(dir, "cls", dir, "cls-aa")).toThrow(/run different models/);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { historyCommand } from "../../src/cli/history.js";
import { buildHistory, writeHistory } from "../../src/history/write-history.js";
import { fakeNightly, setEnvField } from "./history-fixture.js";

/** Per-run scatter of the EE slowdown (fractions): night-to-night noise well inside the intervals. */
const NOISE = [0.001, -0.0005, 0.0015, 0, 0.0008, -0.0003];

let stepDir: string;
let aaDir: string;

beforeAll(async () => {
  stepDir = mkdtempSync(join(tmpdir(), "ee-history-step-"));
  aaDir = mkdtempSync(join(tmpdir(), "ee-history-aa-"));
  for (const [i, n] of NOISE.entries()) {
    // +3 % injected from the 4th run (r4) on
    await fakeNightly(stepDir, `r${i + 1}`, n + (i >= 3 ? 0.03 : 0), n / 2);
    await fakeNightly(aaDir, `r${i + 1}`, n, n / 2);
  }
}, 120_000);

afterEach(() => vi.restoreAllMocks());

describe("ee history", () => {
  it("flags an injected +3 % step at the first run after it, naming its commit", () => {
    const h = buildHistory(stepDir);
    expect(h.unreadable).toEqual([]);
    expect(h.groups).toHaveLength(1);
    const g = h.groups[0];
    expect(g.runs.map((r) => r.runId)).toEqual(["r1", "r2", "r3", "r4", "r5", "r6"]);
    const cls = g.steps.filter((s) => s.row === "cls");
    expect(cls).toHaveLength(1);
    expect(cls[0].firstRunId).toBe("r4");
    expect(cls[0].firstCommit).toBe(g.runs[3].gitCommit);
    expect(cls[0].direction).toBe("slowdown");
    expect(cls[0].shiftPts).toBeGreaterThan(2.5);
    expect(cls[0].shiftPts).toBeLessThan(3.5);
    expect(cls[0].thresholdPts).toBeLessThan(cls[0].shiftPts);
    // the control saw no change
    expect(g.steps.filter((s) => s.row === "cls-aa")).toEqual([]);
    // every run of cls has a real interval and a control floor
    for (const r of g.runs) {
      const p = r.rows.find((x) => x.row === "cls");
      expect(p?.halfWidthPct).toBeGreaterThan(0);
      expect(p?.controlReachPct).toBeGreaterThan(0);
    }
  });

  it("raises no flag on a history of A/A noise", () => {
    const h = buildHistory(aaDir);
    expect(h.groups).toHaveLength(1);
    expect(h.groups[0].runs).toHaveLength(6);
    expect(h.groups[0].steps).toEqual([]);
  });

  it("flags a step in the last run alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-history-last-"));
    for (const [i, n] of NOISE.slice(0, 5).entries())
      await fakeNightly(dir, `r${i + 1}`, n + (i === 4 ? 0.03 : 0), n / 2);
    const steps = buildHistory(dir).groups[0].steps;
    expect(steps.map((s) => [s.row, s.firstRunId, s.direction])).toEqual([["cls", "r5", "slowdown"]]);
  }, 60_000);

  it("a slowdown later removed: slowdown at its first run, speedup at the first run after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-history-bump-"));
    for (const [i, n] of NOISE.entries())
      await fakeNightly(dir, `r${i + 1}`, n + (i === 3 || i === 4 ? 0.03 : 0), n / 2);
    const steps = buildHistory(dir).groups[0].steps;
    expect(steps.map((s) => [s.row, s.firstRunId, s.direction])).toEqual([
      ["cls", "r4", "slowdown"],
      ["cls", "r6", "speedup"],
    ]);
  }, 60_000);

  it("never compares runs from different environments", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-history-env-"));
    // machine A: ΔT ≈ 0; machine B: ΔT ≈ +3 % — mixed into one series this would be a step
    for (const [i, n] of NOISE.slice(0, 3).entries()) await fakeNightly(dir, `a${i + 1}`, n, n / 2);
    for (const [i, n] of NOISE.slice(3).entries()) {
      const run = await fakeNightly(dir, `b${i + 1}`, n + 0.03, n / 2);
      setEnvField(run, "cpuModel", "Another CPU @ 3.0GHz");
    }
    const h = buildHistory(dir);
    expect(h.groups).toHaveLength(2);
    const ids = h.groups.map((g) => g.runs.map((r) => r.runId).join(","));
    expect(ids.sort()).toEqual(["a1,a2,a3", "b1,b2,b3"]);
    expect(h.groups.flatMap((g) => g.steps)).toEqual([]);
    expect(h.groups[0].fingerprintHash).not.toBe(h.groups[1].fingerprintHash);
  }, 60_000);

  it("lists damaged and incomplete run folders with the reason, and writes its files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-history-damaged-"));
    for (const [i, n] of NOISE.slice(0, 3).entries()) await fakeNightly(dir, `r${i + 1}`, n, n / 2);
    const broken = await fakeNightly(dir, "broken", 0);
    writeFileSync(join(broken, "summary.json"), '{"runId": "broken", "rows": [');
    const cut = await fakeNightly(dir, "interrupted", 0);
    rmSync(join(cut, "summary.json"));
    mkdirSync(join(dir, "stray"));
    mkdirSync(join(dir, ".cache"));
    const before = readFileSync(join(broken, "summary.json"), "utf8");
    const out = join(dir, "history");
    const { history } = await writeHistory(dir, { render: false });
    expect(history.groups[0].runs.map((r) => r.runId)).toEqual(["r1", "r2", "r3"]);
    const reasons = Object.fromEntries(history.unreadable.map((u) => [u.runDir.split("/").pop(), u.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["broken", "interrupted", "stray"]);
    expect(reasons.broken).toMatch(/summary\.json: not valid JSON/);
    expect(reasons.interrupted).toMatch(/incomplete: summary\.json missing/);
    expect(reasons.stray).toMatch(/not a run folder/);
    expect(readFileSync(join(broken, "summary.json"), "utf8")).toBe(before); // nothing rewritten
    const md = readFileSync(join(out, "history.md"), "utf8");
    expect(md).toContain("## Not indexed");
    expect(md).toMatch(/broken`: .*not valid JSON/);
    const json = JSON.parse(readFileSync(join(out, "history.json"), "utf8"));
    expect(json.unreadable).toHaveLength(3);
    const g = history.groups[0];
    const spec = JSON.parse(readFileSync(join(out, g.id, "cls.vl.json"), "utf8"));
    expect(spec.vconcat).toHaveLength(3);
    expect(spec.vconcat[0].data.values.map((v: { runId: string }) => v.runId)).toEqual(["r1", "r2", "r3"]);
    // a second run does not index its own output folder
    const again = buildHistory(dir, [out]);
    expect(again.unreadable).toHaveLength(3);
    expect(existsSync(join(out, g.id, "cls.svg"))).toBe(false);
  }, 60_000);

  it("--fail-on-regression: exit 1 on a slowdown step, 0 on A/A noise; renders the chart", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const out = mkdtempSync(join(tmpdir(), "ee-history-out-"));
    expect(await historyCommand(stepDir, { out, failOnRegression: true })).toBe(1);
    expect(await historyCommand(stepDir, { out })).toBe(0);
    expect(await historyCommand(aaDir, { out: join(out, "aa"), failOnRegression: true, render: false })).toBe(
      0,
    );
    const g = buildHistory(stepDir).groups[0];
    expect(readFileSync(join(out, g.id, "cls.svg"), "utf8")).toMatch(/^<svg/);
    expect(existsSync(join(out, g.id, "cls.png"))).toBe(true);
  }, 60_000);
});

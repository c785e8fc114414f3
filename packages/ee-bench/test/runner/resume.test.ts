import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSuite } from "../../src/runner/run-suite.js";
import { pairKey, readSampleRecords } from "../../src/runner/samples-log.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

const quiet = { write: () => true, isTTY: false };
/** A summary without what legitimately differs between two sessions: run id, warnings, the machine's load. */
const strip = <T extends { runId: string; warnings: string[]; rows: { load?: unknown }[] }>(s: T) => ({
  ...s,
  runId: "",
  warnings: [],
  rows: s.rows.map(({ load: _load, ...r }) => r),
});

describe("resume", () => {
  it("an interrupted run resumed loses and duplicates nothing, and equals an uninterrupted run", async () => {
    const { dataDir, manifestDir } = fixtureData();
    const base = {
      suite: fixtureSuite(),
      dataDir,
      manifestDir,
      cacheDir: "/nonexistent",
      progressStream: quiet,
      log: () => {},
      render: false,
    };

    const clockA = new FakeClock();
    const reportsA = mkdtempSync(join(tmpdir(), "ee-bench-a-"));
    const a = await runSuite({
      ...base,
      reportsDir: reportsA,
      runId: "a",
      factory: fakeFactory({ clock: clockA }),
      clock: clockA.now,
    });

    // Interrupted: the EE target dies at its 12th call (row "cls", after 10 timed pairs + warm-up).
    const reportsB = mkdtempSync(join(tmpdir(), "ee-bench-b-"));
    const clockB = new FakeClock();
    await expect(
      runSuite({
        ...base,
        reportsDir: reportsB,
        runId: "b",
        factory: fakeFactory({ clock: clockB, eeThrowsAtCall: 12 }),
        clock: clockB.now,
      }),
    ).rejects.toThrow(/fake ee crashed at call 12/);
    const runDir = join(reportsB, "b");
    const partial = readSampleRecords(join(runDir, "samples.jsonl")).records;
    expect(partial).toHaveLength(2 * 10); // 10 complete pairs of row "cls", nothing of the crashed pair
    // …and a torn write at the very end.
    appendFileSync(join(runDir, "samples.jsonl"), '{"v":1,"row":"cls","rep":2,"ca');

    const warnings: string[] = [];
    const clockC = new FakeClock();
    const b = await runSuite({
      ...base,
      reportsDir: reportsB,
      resumeDir: runDir,
      factory: fakeFactory({ clock: clockC }),
      clock: clockC.now,
      log: (l) => warnings.push(l),
    });
    expect(warnings.some((w) => /incomplete last record/.test(w))).toBe(true);

    const recA = readSampleRecords(join(a.runDir, "samples.jsonl")).records;
    const recB = readSampleRecords(join(runDir, "samples.jsonl")).records;
    const keys = (rs: typeof recA) => rs.map((r) => `${pairKey(r)}/${r.target}`);
    expect(new Set(keys(recB)).size).toBe(recB.length); // no duplicates
    expect([...keys(recB)].sort()).toEqual([...keys(recA)].sort()); // nothing lost
    const lat = (rs: typeof recA) =>
      Object.fromEntries(rs.map((r) => [`${pairKey(r)}/${r.target}`, r.latencyMs]));
    expect(lat(recB)).toEqual(lat(recA));
    expect(strip(b.summary)).toEqual(strip(a.summary));
    expect(b.summary.rows).toHaveLength(2);
    expect(readdirSync(reportsB)).toContain("latest");
  });

  it("resuming with a different configuration is a clear error", async () => {
    const { dataDir, manifestDir } = fixtureData();
    const reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-c-"));
    const clock = new FakeClock();
    const base = {
      dataDir,
      manifestDir,
      cacheDir: "/x",
      progressStream: quiet,
      log: () => {},
      render: false,
      reportsDir,
      clock: clock.now,
    };
    const suite = fixtureSuite();
    suite.rows = suite.rows.slice(0, 1);
    const r = await runSuite({ ...base, suite, runId: "c", factory: fakeFactory({ clock }) });
    const changed = { ...suite, rows: [{ ...suite.rows[0], repetitions: 4 }] };
    await expect(
      runSuite({ ...base, suite: changed, resumeDir: r.runDir, factory: fakeFactory({ clock }) }),
    ).rejects.toThrow(/--resume .*the configuration differs from the run.s \(row cls: /);
    expect(JSON.parse(readFileSync(join(r.runDir, "config.json"), "utf8")).suite.rows[0].repetitions).toBe(3);
  });
});

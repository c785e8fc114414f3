import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommand } from "../../src/cli/run.js";
import { tableCommand } from "../../src/cli/table.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData } from "../suite-fixture.js";

afterEach(() => vi.restoreAllMocks());

describe("ee run / ee table (fake targets)", () => {
  it("runs a suite file with overrides, prints Table 2; ee table regenerates via reports/latest", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const { dataDir, manifestDir } = fixtureData();
    const dir = mkdtempSync(join(tmpdir(), "ee-bench-cli-"));
    const suiteFile = join(dir, "mini.json");
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: "mini",
        description: "cli test",
        rows: [
          { id: "a", label: "A", model: "m", task: "classify", datasets: [{ name: "imdb", count: 4 }] },
          { id: "b", label: "B", model: "m", task: "classify", datasets: [{ name: "imdb", count: 4 }] },
        ],
      }),
    );
    const clock = new FakeClock();
    const code = await runCommand(suiteFile, {
      out: join(dir, "reports"),
      rows: "b",
      samples: 2,
      reps: 3,
      dataDir,
      manifestDir,
      noRender: true,
      factory: fakeFactory({ clock }),
    });
    expect(code).toBe(0);
    const printed = out.mock.calls.map((c) => String(c[0])).join("");
    expect(printed).toMatch(/\| B \| fake \| 1 \|/); // the runtime column as the target reported it
    expect(printed).not.toMatch(/\| A \|/);
    expect(await tableCommand(join(dir, "reports", "latest"), { noRender: true })).toBe(0);
    expect(existsSync(join(dir, "reports", "latest", "table.csv"))).toBe(true);
  });

  it("a missing data directory is an error saying what to set", async () => {
    await expect(runCommand("smoke", { dataDir: "/nonexistent/data" })).rejects.toThrow(
      /EE_DATA_DIR.*imdb_aclImdb/s,
    );
  });
});

describe("ee run --resume", () => {
  it("continues the run's own suite whatever the suite argument, and rejects changed overrides", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const { dataDir, manifestDir } = fixtureData();
    const dir = mkdtempSync(join(tmpdir(), "ee-bench-cli-"));
    const suiteFile = join(dir, "mini.json");
    writeFileSync(
      suiteFile,
      JSON.stringify({
        name: "mini",
        description: "cli test",
        rows: [{ id: "a", label: "A", model: "m", task: "classify", datasets: [{ name: "imdb", count: 4 }] }],
      }),
    );
    const common = {
      out: join(dir, "reports"),
      dataDir,
      manifestDir,
      noRender: true,
      factory: fakeFactory({ clock: new FakeClock() }),
    };
    await runCommand(suiteFile, { ...common, samples: 2 });
    const latest = join(dir, "reports", "latest");
    expect(await runCommand("default", { ...common, resume: latest })).toBe(0);
    await expect(runCommand("default", { ...common, resume: latest, samples: 3 })).rejects.toThrow(
      /the configuration differs from the run's \(row a: datasets .*samples 2 → 3 /,
    );
  });
});

import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveRunDir, tableCommand } from "../../src/cli/table.js";

describe("ee table", () => {
  it("resolves reports/latest as a symlink or as a pointer file holding the run id", () => {
    const reports = realpathSync(mkdtempSync(join(tmpdir(), "ee-bench-latest-")));
    mkdirSync(join(reports, "run-1"));
    symlinkSync("run-1", join(reports, "latest"));
    expect(resolveRunDir(join(reports, "latest"))).toBe(join(reports, "run-1"));
    writeFileSync(join(reports, "pointer"), "run-1\n");
    expect(resolveRunDir(join(reports, "pointer"))).toBe(join(reports, "run-1"));
    expect(() => resolveRunDir(join(reports, "nope"))).toThrow(/does not exist/);
  });

  it("a folder that is not a run is an error naming the missing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-bench-notrun-"));
    await expect(tableCommand(dir)).rejects.toThrow(
      /config\.json is missing: is .* a run folder written by "ee run"\?/,
    );
  });
});

import * as core from "ee-core";
import { describe, expect, it } from "vitest";
import { dataFile, findRepoRoot, resolveDataDir } from "../src/data-dir.js";

describe("data directory", () => {
  it("is ee-core's one resolver (tested there), not a copy", () => {
    expect(resolveDataDir).toBe(core.resolveDataDir);
    expect(dataFile).toBe(core.dataFile);
    expect(findRepoRoot).toBe(core.findRepoRoot);
    expect(findRepoRoot()).toBeDefined();
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataFile, findRepoRoot, resolveDataDir } from "../src/data-dir.js";

describe("data directory", () => {
  it("finds the repo root (package.json with workspaces) and the mirror beside it", () => {
    const root = findRepoRoot();
    expect(root).toBeDefined();
    const env = { ...process.env };
    delete env.EE_DATA_DIR;
    expect(resolveDataDir(env)).toBe(join(root as string, "..", "shared", "datasets"));
  });

  it("EE_DATA_DIR wins, and a bad one is named", () => {
    const d = mkdtempSync(join(tmpdir(), "ee-data-"));
    try {
      expect(resolveDataDir({ EE_DATA_DIR: d })).toBe(d);
      expect(() => resolveDataDir({ EE_DATA_DIR: join(d, "nope") })).toThrow(
        `EE_DATA_DIR=${join(d, "nope")}: not a directory`,
      );
      expect(() => dataFile("model_files/x.json", d)).toThrow(
        `data file ${join(d, "model_files/x.json")} not found`,
      );
    } finally {
      rmSync(d, { recursive: true });
    }
  });
});

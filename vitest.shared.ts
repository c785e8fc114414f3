import { defineConfig } from "vitest/config";

/** The one vitest setup every package uses (each package's vitest.config.ts re-exports it). */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // The data the tests read: mirror → cache → pinned origin, or one failure saying what to run.
    globalSetup: ["../../scripts/test-data-setup.mjs"],
    // The JSON report feeds the repository-wide "N passed, N failed" line (.ci/test-summary.mjs).
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});

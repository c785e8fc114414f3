/**
 * `http` rows whose servers the suite starts: `ee serve` for the plain (tokenizer-free view) and the
 * encrypted folder, driven over loopback with concurrent requests; VI and EE agree as in process, and
 * the servers are gone after the run.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveBenchDataDir } from "../../src/paths.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { parseSuite } from "../../src/suite/schema.js";
import { modelTargetFactory } from "../../src/targets/factory.js";
import type { Suite, SuiteRow } from "../../src/types.js";

/** Command lines of running processes that mention `text`. */
function processesMentioning(text: string): string[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmd.includes(text) ? [cmd] : [];
      } catch {
        return [];
      }
    });
}

const row = (extra: Partial<SuiteRow>): SuiteRow => ({
  id: "x",
  label: "x",
  model: "llama-tiny",
  task: "generate",
  scheme: "full",
  datasets: [{ name: "mt-bench", count: 4 }],
  passes: 1,
  batchSize: 4,
  maxLength: 16,
  maxNewTokens: 3,
  repetitions: 3,
  warmup: 1,
  seed: 3,
  engine: "http",
  engineOptions: { extra: { concurrency: 4 } },
  launcher: "in-process",
  servers: { kind: "serve", maxConcurrency: 4 },
  ...extra,
});

describe("http rows served by ee serve", () => {
  it("VI and EE over the wire agree (same first tokens, fidelity ≥ 99.99 %); bert over /classify too", async () => {
    const suite: Suite = {
      name: "served-tiny",
      description: "test",
      microbenchIterations: 0,
      rows: [
        row({ id: "llama-served" }),
        row({
          id: "bert-served",
          model: "bert-tiny",
          task: "classify",
          datasets: [{ name: "imdb", count: 2 }],
          batchSize: 1,
          maxLength: 32,
          maxNewTokens: 0,
        }),
      ],
    };
    const reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-served-"));
    const quiet = { progressStream: { write: () => true }, log: () => {} };
    const { summary } = await runSuite({
      suite,
      factory: modelTargetFactory,
      dataDir: resolveBenchDataDir(),
      reportsDir,
      cacheDir: join(reportsDir, ".cache"),
      render: false,
      ...quiet,
    });
    expect(summary.rows.map((r) => r.row)).toEqual(["llama-served", "bert-served"]);
    for (const r of summary.rows) {
      expect(r.argmaxAgreementPct).toBe(100);
      expect(r.fidelityPct).toBeGreaterThan(99.99);
      expect(r.viSec).toBeGreaterThan(0);
      expect(r.eeSec).toBeGreaterThan(0);
    }
    const served = summary.rows[0].serving;
    if (!served) throw new Error("the generate row has no serving statistics");
    for (const side of [served.vi, served.ee]) {
      expect(side.throughputTokPerS).toBeGreaterThan(0);
      expect(Number.isFinite(side.ttftP50Ms)).toBe(true);
      expect(side.ttftP99Ms).toBeGreaterThanOrEqual(side.ttftP50Ms);
      expect(Number.isFinite(side.tpotP50Ms)).toBe(true);
    }
    expect(summary.rows[1].serving).toBeUndefined(); // classification has no tokens to stream
    const runDir = join(reportsDir, readdirSync(reportsDir).find((d) => d.startsWith("served-tiny"))!);
    expect(readFileSync(join(runDir, "table.md"), "utf8")).toMatch(
      /## Over the wire[\s\S]*\| llama-served \| EE \|/,
    );
    expect(processesMentioning(reportsDir)).toEqual([]); // both servers stopped
  });

  it("the suite schema takes servers for http rows only, and requires them there", () => {
    const base = {
      id: "r",
      label: "r",
      model: "llama-tiny",
      task: "generate",
      datasets: [{ name: "mt-bench", count: 1 }],
    };
    const parse = (r: Record<string, unknown>) =>
      parseSuite({ name: "s", description: "d", rows: [{ ...base, ...r }] }, "s.json");
    expect(parse({ engine: "http", servers: { serve: { maxConcurrency: 2 } } }).rows[0].servers).toEqual({
      kind: "serve",
      maxConcurrency: 2,
    });
    expect(() => parse({ engine: "http" })).toThrow(/servers/);
    expect(() => parse({ servers: { serve: {} } })).toThrow(/only for engine "http"/);
  });
});

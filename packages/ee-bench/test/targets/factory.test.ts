import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveBenchDataDir } from "../../src/paths.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { modelTargetFactory } from "../../src/targets/factory.js";
import type { Suite, SuiteRow } from "../../src/types.js";

const row = (extra: Partial<SuiteRow>): SuiteRow => ({
  id: "x",
  label: "x",
  model: "bert-tiny",
  task: "classify",
  scheme: "full",
  datasets: [{ name: "imdb", count: 2 }],
  passes: 1,
  batchSize: 1,
  maxLength: 32,
  maxNewTokens: 0,
  repetitions: 3,
  warmup: 1,
  seed: 3,
  engine: "onnxruntime",
  launcher: "in-process",
  ...extra,
});

describe("real targets (tiny presets, built and encrypted with ee-models)", () => {
  it("VI and EE agree: same predictions, fidelity ≥ 99.99 %, tiny logit differences; models are cached", async () => {
    const suite: Suite = {
      name: "real-tiny",
      description: "test",
      microbenchIterations: 0,
      rows: [
        row({ id: "bert" }),
        row({
          id: "llama-bs2",
          model: "llama-tiny",
          task: "generate",
          datasets: [{ name: "mt-bench", count: 2 }],
          batchSize: 2,
          maxLength: 16,
          maxNewTokens: 3,
        }),
      ],
    };
    const reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-real-"));
    const cacheDir = join(reportsDir, ".cache");
    const base = {
      suite,
      factory: modelTargetFactory,
      dataDir: resolveBenchDataDir(),
      reportsDir,
      cacheDir,
      render: false,
    };
    const quiet = { progressStream: { write: () => true }, log: () => {} };
    const { summary } = await runSuite({ ...base, ...quiet });
    expect(summary.rows.map((r) => r.row)).toEqual(["bert", "llama-bs2"]);
    // the runtime column is the engine's own label
    expect(summary.rows[0].runtime).toMatch(/^ORT \d+\.\d+ \(cpu\)$/);
    expect(summary.rows[1].runtime).toMatch(/^ORT \d+\.\d+ \(cpu\) batched \(bs 2\)$/);
    for (const r of summary.rows) {
      expect(r.argmaxAgreementPct).toBe(100);
      expect(r.fidelityPct).toBeGreaterThan(99.99);
      expect(r.maxAbsLogitDiff).toBeLessThan(1e-3);
      expect(r.viSec).toBeGreaterThan(0);
      expect(r.eeSec).toBeGreaterThan(0);
    }
    const logs: string[] = [];
    await runSuite({ ...base, ...quiet, log: (l) => logs.push(l) });
    expect(logs.filter((l) => /^(building|encrypting)/.test(l))).toEqual([]);
  });

  it("a re-keyed row: three copies under three keys, each call to one of them, exact like one key", async () => {
    const reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-rekey-"));
    const cacheDir = join(reportsDir, ".cache");
    const logs: string[] = [];
    const { summary } = await runSuite({
      suite: {
        name: "rekey",
        description: "test",
        microbenchIterations: 0,
        rows: [
          row({
            id: "llama-rekey",
            model: "llama-tiny",
            task: "generate",
            datasets: [{ name: "mt-bench", count: 3 }],
            maxLength: 16,
            maxNewTokens: 3,
            rekeyCopies: 3,
          }),
        ],
      },
      factory: modelTargetFactory,
      dataDir: resolveBenchDataDir(),
      reportsDir,
      cacheDir,
      render: false,
      progressStream: { write: () => true },
      log: (l) => logs.push(l),
    });
    // three encrypted folders, three key files, three different keys
    const made = logs.filter((l) => l.startsWith("encrypting"));
    expect(made).toHaveLength(3);
    const keys = readdirSync(join(cacheDir, "keys")).filter((f) => f.startsWith("llama-tiny"));
    expect(keys).toHaveLength(3);
    const fingerprints = new Set(
      keys.map((f) =>
        createHash("sha256")
          .update(readFileSync(join(cacheDir, "keys", f)))
          .digest("hex"),
      ),
    );
    expect(fingerprints.size).toBe(3);
    const r = summary.rows[0];
    expect(r.runtime).toMatch(/re-keyed over 3 copies$/);
    expect(r.argmaxAgreementPct).toBe(100);
    expect(r.fidelityPct).toBeGreaterThan(99.99);
    expect(r.maxAbsLogitDiff).toBeLessThan(1e-3);
  });

  it("the child-process launcher runs VI and EE each in its own process, with the same results", async () => {
    const reportsDir = mkdtempSync(join(tmpdir(), "ee-bench-child-"));
    const { summary, runDir } = await runSuite({
      suite: {
        name: "child",
        description: "test",
        microbenchIterations: 0,
        rows: [
          row({ id: "bert-child", launcher: "child-process" }),
          row({
            id: "llama-child",
            model: "llama-tiny",
            task: "generate",
            datasets: [{ name: "mt-bench", count: 2 }],
            maxLength: 16,
            maxNewTokens: 3,
            launcher: "child-process",
          }),
        ],
      },
      factory: modelTargetFactory,
      dataDir: resolveBenchDataDir(),
      reportsDir,
      cacheDir: join(reportsDir, ".cache"),
      render: false,
      progressStream: { write: () => true },
      log: () => {},
    });
    for (const r of summary.rows) {
      expect(r.argmaxAgreementPct).toBe(100);
      expect(r.maxAbsLogitDiff).toBeLessThan(1e-3);
    }
    const env = JSON.parse(readFileSync(join(runDir, "env.json"), "utf8"));
    expect(env.targets["bert-child"]).toMatchObject({
      launcher: "child-process",
      engine: { name: "onnxruntime" },
    });
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pairOrder, planCalls } from "../../src/runner/interleave.js";
import { runRow } from "../../src/runner/run-row.js";
import { SamplesLog } from "../../src/runner/samples-log.js";
import type { BenchSample, SuiteRow } from "../../src/types.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";

const samples: BenchSample[] = Array.from({ length: 5 }, (_, i) => ({
  id: `s${i}`,
  text: `t${i}`,
  dataset: "x",
}));
const row: SuiteRow = {
  id: "r",
  label: "R",
  model: "m",
  task: "classify",
  scheme: "full",
  datasets: [{ name: "x" }],
  passes: 1,
  batchSize: 1,
  maxLength: 8,
  maxNewTokens: 0,
  repetitions: 3,
  warmup: 2,
  seed: 1,
  engine: "onnxruntime",
  launcher: "in-process",
};

describe("interleaving", () => {
  it("pairs alternate ABBA across calls and repetitions", () => {
    const seq = [0, 1].flatMap((rep) => [0, 1, 2].flatMap((call) => pairOrder(rep, call, 3)));
    expect(seq.join("")).toBe(
      ["vi", "ee", "ee", "vi", "vi", "ee", "ee", "vi", "vi", "ee", "ee", "vi"].join(""),
    );
  });

  it("plans passes × batches over the same samples", () => {
    const calls = planCalls(samples, 2, 2);
    expect(calls.map((c) => c.map((s) => s.id).join(","))).toEqual([
      "s0,s1",
      "s2,s3",
      "s4",
      "s0,s1",
      "s2,s3",
      "s4",
    ]);
  });

  it("runRow: warm-up, then every sample through VI and EE in ABBA order, each target first equally often", async () => {
    const calls: string[] = [];
    const clock = new FakeClock();
    const pair = await fakeFactory({ clock, calls })(row, {} as never);
    const log = new SamplesLog(join(mkdtempSync(join(tmpdir(), "ee-bench-rr-")), "samples.jsonl"));
    await runRow({ row, samples, pair, log, clock: clock.now });
    log.close();
    const warm = calls.slice(0, 4);
    expect(warm).toEqual(["vi:s0", "ee:s0", "ee:s1", "vi:s1"]);
    const timed = calls.slice(4);
    expect(timed).toHaveLength(2 * 3 * 5);
    for (let k = 0; k < 15; k++) {
      const [a, b] = [timed[2 * k], timed[2 * k + 1]];
      expect(a.split(":")[1]).toBe(b.split(":")[1]); // same sample in a pair
      expect(a.split(":")[0]).toBe(k % 2 === 0 ? "vi" : "ee");
    }
    const recs = new SamplesLog(log.path).existing;
    expect(recs).toHaveLength(30);
    const ee = recs.filter((r) => r.target === "ee");
    expect(
      ee.every((r) => r.maxAbsLogitDiff !== null && r.maxAbsLogitDiff > 0 && r.maxAbsLogitDiff < 1e-6),
    ).toBe(true);
    expect(ee.filter((r) => r.order === 0)).toHaveLength(7);
  });

  it("a target returning the wrong number of outputs is an error naming row, rep and call", async () => {
    const clock = new FakeClock();
    const pair = await fakeFactory({ clock })(row, {} as never);
    pair.ee = { kind: "ee", run: async () => [] };
    const log = new SamplesLog(join(mkdtempSync(join(tmpdir(), "ee-bench-rr-")), "samples.jsonl"));
    await expect(
      runRow({ row: { ...row, warmup: 0 }, samples, pair, log, clock: clock.now }),
    ).rejects.toThrow(/row r rep 0 call 0: target ee returned 0 outputs for a batch of 1/);
    log.close();
  });
});

import { DEFAULT_ENGINE } from "ee-models";
import { describe, expect, it } from "vitest";
import { applyOverrides, listSuites, loadSuite } from "../../src/suite/load.js";
import { parseSuite } from "../../src/suite/schema.js";

const row = (extra: Record<string, unknown> = {}) => ({
  id: "r1",
  label: "R1",
  model: "bert-tiny",
  task: "classify",
  datasets: [{ name: "imdb", count: 4 }],
  ...extra,
});
const suite = (rows: unknown[], extra: Record<string, unknown> = {}) => ({
  name: "t",
  description: "d",
  rows,
  ...extra,
});

describe("suite schema", () => {
  it("applies built-in and suite defaults; the runtime column is left to the engine unless given", () => {
    const s = parseSuite(
      suite([row(), row({ id: "r2", batchSize: 8 })], { defaults: { repetitions: 5 } }),
      "t.json",
    );
    expect(s.rows[0]).toMatchObject({
      scheme: "full",
      repetitions: 5,
      warmup: 2,
      batchSize: 1,
      maxNewTokens: 0,
      engine: DEFAULT_ENGINE,
      launcher: "in-process",
    });
    expect(s.rows[0].runtime).toBeUndefined();
    expect(s.rows[0].engineOptions).toBeUndefined();
    const r = parseSuite(
      suite([row({ runtime: "custom", engineOptions: { threads: 1, extra: { k: 1 } } })]),
      "t.json",
    );
    expect(r.rows[0].runtime).toBe("custom");
    expect(r.rows[0].engineOptions).toEqual({ threads: 1, extra: { k: 1 } });
    const d = parseSuite(
      suite([row()], { defaults: { launcher: "child-process", engine: DEFAULT_ENGINE } }),
      "t.json",
    );
    expect(d.rows[0]).toMatchObject({ launcher: "child-process", engine: DEFAULT_ENGINE });
  });

  it.each([
    [[row({ repetitions: 2 })], {}, /t\.json: \/rows\/0\/repetitions: must be an integer ≥ 3/],
    [[row()], { defaults: { repetitions: 1 } }, /\/defaults\/repetitions: must be an integer ≥ 3/],
    [[row({ task: "translate" })], {}, /\/rows\/0\/task: must be one of classify, generate/],
    [[row({ datasets: [] })], {}, /\/rows\/0\/datasets: must be a non-empty array/],
    [[row({ datasets: [{ name: "imdb", turn: 3 }] })], {}, /\/rows\/0\/datasets\/0\/turn: must be 1 or 2/],
    [[row({ bathSize: 3 })], {}, /\/rows\/0\/bathSize: unknown field/],
    [[row(), row()], {}, /\/rows\/1\/id: duplicate row id "r1"/],
    [[row({ maxNewTokens: 4 })], {}, /\/rows\/0\/maxNewTokens: must be 0/],
    [[row({ engine: "nope" })], {}, /\/rows\/0\/engine: unknown engine "nope" \(known: .*\)/],
    [[row()], { defaults: { engine: "" } }, /\/defaults\/engine: must be a non-empty string/],
    [[row({ launcher: "thread" })], {}, /\/rows\/0\/launcher: must be one of in-process, child-process/],
    [
      [row({ engineOptions: { threads: 0 } })],
      {},
      /\/rows\/0\/engineOptions\/threads: must be an integer ≥ 1/,
    ],
    [[row({ engineOptions: { device: "cuda" } })], {}, /\/rows\/0\/engineOptions\/device: unknown field/],
    [
      [row({ engineOptions: { allowSpinning: 1 } })],
      {},
      /\/rows\/0\/engineOptions\/allowSpinning: must be true or false/,
    ],
    [
      [row({ engineOptions: { extra: { a: [1] } } })],
      {},
      /\/rows\/0\/engineOptions\/extra\/a: must be a string, number or boolean/,
    ],
    [[row({ task: "generate", maxNewTokens: 0 })], {}, /\/rows\/0\/maxNewTokens: must be an integer ≥ 1/],
    [[row({ paper: { model: "x" } })], {}, /\/rows\/0\/paper\/vllm: must be a non-empty string/],
    [[row({ id: "Bad Id" })], {}, /\/rows\/0\/id: "Bad Id" must match/],
    [[], {}, /\/rows: must be a non-empty array/],
  ])("rejects %# with the JSON pointer of the bad field", (rows, extra, msg) => {
    expect(() => parseSuite(suite(rows, extra), "t.json")).toThrow(msg);
  });

  it("the committed suites validate, and cover every row kind", () => {
    expect(listSuites()).toEqual(expect.arrayContaining(["default", "paper", "smoke"]));
    for (const name of ["default", "paper", "smoke"]) {
      const s = loadSuite(name);
      expect(s.rows.some((r) => r.task === "classify")).toBe(true);
      expect(s.rows.some((r) => r.task === "generate" && r.batchSize === 1)).toBe(true);
      expect(s.rows.some((r) => r.task === "generate" && r.batchSize > 1)).toBe(true);
      for (const r of s.rows) expect(r.repetitions).toBeGreaterThanOrEqual(3);
    }
    for (const name of listSuites()) expect(() => loadSuite(name), name).not.toThrow();
    const schemes = loadSuite("schemes");
    expect(new Set(schemes.rows.map((r) => r.scheme))).toEqual(
      new Set(["vocab", "full", "homophonic", "noise-2", "noise-10", "control"]),
    );
    expect(schemes.rows.find((r) => r.rekeyCopies !== undefined)).toMatchObject({
      scheme: "full",
      rekeyCopies: 3,
    });
    const paper = loadSuite("paper");
    expect(paper.rows.find((r) => r.id === "llama-8b-bs256")).toMatchObject({
      batchSize: 256,
      passes: 2,
      model: "llama-3.1-8b",
    });
    expect(paper.rows.find((r) => r.id === "bert-base")?.datasets[0].count).toBe(5000);
  });

  it("overrides: row filter, counts, repetitions ≥ 3", () => {
    const s = loadSuite("smoke");
    const o = applyOverrides(s, { rows: ["bert-tiny"], count: 2, repetitions: 4 });
    expect(o.rows.map((r) => r.id)).toEqual(["bert-tiny"]);
    expect(o.rows[0]).toMatchObject({ repetitions: 4, datasets: [{ name: "imdb", count: 2 }] });
    expect(() => applyOverrides(s, { rows: ["nope"] })).toThrow(/unknown row id\(s\) nope/);
    expect(() => applyOverrides(s, { repetitions: 2 })).toThrow(/≥ 3/);
  });

  it("a missing suite names the folder and the suites that exist", () => {
    expect(() => loadSuite("nope")).toThrow(/suite "nope" not found.*default/);
  });

  it("rekeyCopies: an integer ≥ 2, not with servers", () => {
    expect(parseSuite(suite([row({ rekeyCopies: 3 })]), "t.json").rows[0].rekeyCopies).toBe(3);
    expect(parseSuite(suite([row()]), "t.json").rows[0].rekeyCopies).toBeUndefined();
    expect(() => parseSuite(suite([row({ rekeyCopies: 1 })]), "t.json")).toThrow(
      /t\.json: \/rows\/0\/rekeyCopies: must be an integer ≥ 2/,
    );
    expect(() =>
      parseSuite(
        suite([row({ rekeyCopies: 2, engine: "http", servers: { serve: { maxConcurrency: 1 } } })]),
        "t.json",
      ),
    ).toThrow(/rekeyCopies: re-keying rows open their copies in this process; not with servers/);
  });

  it("adaptive repetitions and A/A control links: parsed, defaultable, and checked", () => {
    const s = parseSuite(
      suite(
        [row(), row({ id: "c", scheme: "control", controls: ["r1"], targetHalfWidthPct: 2, budgetSec: 30 })],
        { defaults: { targetHalfWidthPct: 0.5, budgetSec: 90 } },
      ),
      "t.json",
    );
    expect(s.rows[0]).toMatchObject({ targetHalfWidthPct: 0.5, budgetSec: 90 });
    expect(s.rows[1]).toMatchObject({ targetHalfWidthPct: 2, budgetSec: 30, controls: ["r1"] });
    const bad: [unknown[], RegExp][] = [
      [
        [row({ targetHalfWidthPct: 0.5 })],
        /\/rows\/0\/targetHalfWidthPct: adaptive repetitions need budgetSec too/,
      ],
      [[row({ budgetSec: 60 })], /\/rows\/0\/budgetSec: adaptive repetitions need targetHalfWidthPct too/],
      [
        [row({ targetHalfWidthPct: 0, budgetSec: 60 })],
        /\/rows\/0\/targetHalfWidthPct: must be a number > 0/,
      ],
      [[row({ controls: ["r1"] })], /\/rows\/0\/controls: only an A\/A control row/],
      [[row({ scheme: "control", controls: ["x"] })], /\/rows\/0\/controls\/0: no row with id "x"/],
    ];
    for (const [rows, msg] of bad) expect(() => parseSuite(suite(rows), "t.json")).toThrow(msg);
  });
});

describe("engine and launcher overrides", () => {
  it("replace every row's engine and launcher; unknown ones are errors", () => {
    const s = parseSuite(suite([row(), row({ id: "r2" })]), "t.json");
    const o = applyOverrides(s, { launcher: "child-process", engine: DEFAULT_ENGINE });
    expect(o.rows.map((r) => [r.engine, r.launcher])).toEqual([
      [DEFAULT_ENGINE, "child-process"],
      [DEFAULT_ENGINE, "child-process"],
    ]);
    expect(() => applyOverrides(s, { engine: "nope" })).toThrow(/--engine: unknown engine "nope"/);
    expect(() => applyOverrides(s, { launcher: "thread" as never })).toThrow(/--launcher: must be one of/);
  });
});

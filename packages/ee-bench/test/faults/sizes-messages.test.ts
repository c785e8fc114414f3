/**
 * Sizes and messages: prompts beyond a model's positions or the memory bound are refused before any
 * allocation; a classifier input cut at the model's length is reported; a tiny Llama without a
 * tokenizer takes ids (or says how to give them); a truncated tokenizer.json is named; a suite with an
 * unknown model, scheme or wrong task fails before a run folder exists; a refused resume names what
 * differs.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, ee, expectRefusal, scratch, unchanged } from "./harness.js";
import { dataDirWith, IMDB, suiteFile } from "./suites.js";

const { dir, cleanup } = scratch("sizes");
beforeAll(() => buildFixtures(dir, ["bert", "llama"]));
afterAll(cleanup);

describe("input sizes", () => {
  it("a classifier input longer than the model's positions is truncated with a notice", async () => {
    const o = await ee(dir, ["infer", "P", "--text", "good ".repeat(4000)]);
    expect(o.code).toBe(0);
    expect(o.stderr).toMatch(
      /^ee: note: the input filled all \d+ token positions the model takes; text beyond them was truncated\n$/,
    );
  });

  it("llama ids beyond the model's positions → refused naming the positions", async () => {
    const ids = Array.from({ length: 300 }, () => "5").join(",");
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["infer", "L", "--ids", ids, "--max-new-tokens", "4"]),
        "300 tokens",
        "256 positions",
      ),
    );
  });

  it("a prompt over the memory bound → refused naming the estimate and the bound, before allocation", async () => {
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["infer", "L", "--ids", "1,2,3,4,5,6,7,8", "--max-new-tokens", "4"], {
          EE_INFER_MAX_GIB: "0.00001",
        }),
        "GiB",
        "EE_INFER_MAX_GIB",
      ),
    );
  });

  it("out-of-vocabulary ids, and --text with --ids together → refused", async () => {
    await unchanged(dir, async () => {
      expectRefusal(await ee(dir, ["infer", "L", "--ids", "1,2,99999"]), "99999", "0..511");
      expectRefusal(await ee(dir, ["infer", "L", "--text", "hi", "--ids", "1,2"]), "--ids");
    });
  });
});

describe("a tiny Llama without a tokenizer", () => {
  it("--text says how to give ids; --ids generates, plain and encrypted alike", async () => {
    expectRefusal(await ee(dir, ["infer", "L", "--text", "hello"]), "L has no tokenizer", "--ids 1,2,3");
    const plain = await ee(dir, ["infer", "L", "--ids", "1,2,3", "--max-new-tokens", "4", "--json"]);
    const enc = await ee(dir, [
      "infer",
      "LE",
      "--key",
      "LK",
      "--ids",
      "1,2,3",
      "--max-new-tokens",
      "4",
      "--json",
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(enc.code, enc.stderr).toBe(0);
    expect(JSON.parse(enc.stdout).tokenIds).toEqual(JSON.parse(plain.stdout).tokenIds);
    expect(JSON.parse(plain.stdout).tokenIds).toHaveLength(4);
  });
});

describe("messages that help", () => {
  it("a truncated tokenizer.json is named", async () => {
    cpSync(join(dir, "P"), join(dir, "P-tok"), { recursive: true });
    const tok = readFileSync(join(dir, "P", "tokenizer.json"));
    writeFileSync(join(dir, "P-tok", "tokenizer.json"), tok.subarray(0, 500));
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["infer", "P-tok", "--text", "x"]),
        "P-tok/tokenizer.json",
        "not valid JSON",
      ),
    );
  });

  const rows: [string, string, Record<string, unknown>, string][] = [
    ["an unknown model", "bert-huge", {}, 'field "model"'],
    ["an unknown scheme", "bert-tiny", { scheme: "rot13" }, 'field "scheme"'],
    ["a task the model lacks", "llama-tiny", { task: "classify" }, 'field "task"'],
  ];
  for (const [what, model, row, named] of rows) {
    it(`a suite with ${what} fails before the run folder exists`, async () => {
      const data = dataDirWith(dir);
      const suite = suiteFile(dir, `s-${what.replace(/\W+/g, "_")}`, IMDB, model, row);
      await unchanged(dir, async () =>
        expectRefusal(
          await ee(dir, ["run", suite, "--data-dir", data, "--out", "O", "--no-render"]),
          "row r",
          named,
        ),
      );
      expect(existsSync(join(dir, "O"))).toBe(false);
    });
  }

  it("a refused resume names the field that differs; the run folder is untouched", async () => {
    const data = dataDirWith(dir);
    const suite = suiteFile(dir, "s-resume", IMDB);
    const first = await ee(dir, ["run", suite, "--data-dir", data, "--out", "OR", "--no-render"]);
    expect(first.code, first.stderr).toBe(0);
    const runDir = join("OR", readdirSync(join(dir, "OR")).find((f) => f.startsWith("s-resume"))!);
    await unchanged(join(dir, "OR"), async () => {
      const msg = expectRefusal(
        await ee(dir, [
          "run",
          "--resume",
          runDir,
          "--data-dir",
          data,
          "--out",
          "OR",
          "--no-render",
          "--reps",
          "4",
        ]),
        "row r: repetitions 3 → 4",
      );
      expect(msg).not.toContain("none");
    });
  });
});

/**
 * Non-finite or nonsensical values: checkpoints and plain folders with NaN/Inf weights, dataset files
 * of random bytes or empty, out-of-range command-line numbers. Each is refused (or, for partly bad
 * data, reported with counts) before any folder is written.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, ee, expectRefusal, scratch, unchanged } from "./harness.js";
import { dataDirWith, suiteFile } from "./suites.js";

const { dir, cleanup } = scratch("values");
beforeAll(async () => {
  await buildFixtures(dir, ["bert"]);
  for (const [name, v] of [
    ["CK-nan", Number.NaN],
    ["CK-inf", Number.POSITIVE_INFINITY],
  ] as const) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "model.safetensors"), poisoned(v));
  }
  cpSync(join(dir, "P"), join(dir, "P-nan"), { recursive: true });
  writeFileSync(join(dir, "P-nan", "model.safetensors"), poisoned(Number.NaN));
});
afterAll(cleanup);

/** P's weights with one value of the word embeddings set to `v`. */
function poisoned(v: number): Buffer {
  const b = Buffer.from(readFileSync(join(dir, "P", "model.safetensors")));
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString("utf8"));
  const name = Object.keys(header).find((k) => k.includes("word_embeddings"))!;
  b.writeFloatLE(v, 8 + n + header[name].data_offsets[0] + 40);
  return b;
}

describe("non-finite weights", () => {
  it("build --weights with a NaN / +Inf checkpoint → refused naming the tensor; no folder written", async () => {
    for (const [ck, what] of [
      ["CK-nan", "NaN"],
      ["CK-inf", "+Inf"],
    ]) {
      await unchanged(dir, async () =>
        expectRefusal(
          await ee(dir, ["build", "bert-tiny", "--weights", ck, "--out", `B-${ck}`]),
          ck,
          "bert.embeddings.word_embeddings.weight",
          what,
        ),
      );
    }
  });

  it("encrypt a plain folder with NaN weights → refused; no folder or key written", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["encrypt", "P-nan", "--out", "E-nan", "--key", "K-nan"]), "P-nan", "NaN"),
    );
  });
});

describe("data that is not data", () => {
  const data = dataDirWith(dir);
  const cases: [string, string, string, string][] = [
    ["sharegpt file of random bytes", "sharegpt", "sg/random.json", "sg/random.json"],
    ["empty sharegpt file", "sharegpt", "sg/empty.json", "sg/empty.json"],
    ["parquet of random bytes", "imdb", "rand.parquet", "rand.parquet"],
    ["review files of random bytes", "imdb", "imdb", "not text"],
  ];
  for (const [what, ds, path, named] of cases) {
    it(`${what} → refused with counts, before a run folder exists`, async () => {
      const suite = suiteFile(
        dir,
        `s-${ds}-${what.replace(/\W+/g, "_")}`,
        { name: ds, path, count: 2 },
        ds === "sharegpt" ? "llama-tiny" : "bert-tiny",
      );
      await unchanged(dir, async () =>
        expectRefusal(await ee(dir, ["run", suite, "--data-dir", data, "--out", "O", "--no-render"]), named),
      );
      expect(existsSync(join(dir, "O"))).toBe(false);
    });
  }
});

describe("command-line numbers", () => {
  const bad: [string, string[], string][] = [
    ["--warmup -1", ["run", "smoke", "--warmup", "-1"], "--warmup"],
    ["--samples 0", ["run", "smoke", "--samples", "0"], "--samples"],
    ["--reps 2", ["run", "smoke", "--reps", "2"], "--reps"],
    ["--threads 0", ["run", "smoke", "--threads", "0"], "--threads"],
    ["--threads -2", ["run", "smoke", "--threads", "-2"], "--threads"],
    ["--max-new-tokens 0", ["infer", "P", "--text", "x", "--max-new-tokens", "0"], "--max-new-tokens"],
    ["--seed -1 (encrypt)", ["encrypt", "P", "--out", "E-s", "--key", "K-s", "--seed", "-1"], "--seed"],
    ["--seed 1.5 (build)", ["build", "bert-tiny", "--out", "B-s", "--seed", "1.5"], "--seed"],
    ["--fail-above -5", ["compare", "P", "P", "--fail-above", "-5"], "--fail-above"],
  ];
  for (const [what, args, named] of bad) {
    it(`${what} → refused naming the option`, async () => {
      await unchanged(dir, async () => expectRefusal(await ee(dir, args), named));
    });
  }
});

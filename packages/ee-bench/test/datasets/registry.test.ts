import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/datasets/registry.js";
import { writeManifests, writeTree } from "./fixtures.js";
import { writeParquet } from "./parquet-writer.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const MANIFESTS = writeManifests({
  imdb: { description: "imdb", format: "aclimdb", paths: ["imdb"], defaultCount: 4, source: "test" },
  "mt-bench": {
    description: "mtb",
    format: "mt-bench-jsonl",
    paths: ["mtb/question.jsonl"],
    defaultCount: 80,
    source: "test",
  },
  sharegpt: {
    description: "sg",
    format: "sharegpt-json",
    paths: ["sg/a.json"],
    defaultCount: 2000,
    source: "test",
  },
  "sharegpt-conversations": {
    description: "sgc",
    format: "sharegpt-folder",
    paths: ["sgc"],
    defaultCount: 10,
    source: "test",
  },
});

function imdbTree(perClass: number, extra: Record<string, string> = {}): string {
  const files: Record<string, string> = { ...extra };
  for (let i = 0; i < perClass; i++) {
    files[`imdb/test/pos/${i}_9.txt`] = `great film ${i}`;
    files[`imdb/test/neg/${i}_2.txt`] = `awful film ${i}`;
  }
  return writeTree(files);
}

describe("IMDB aclImdb", () => {
  it("labels from the folder, balanced seeded sample, deterministic", async () => {
    const dataDir = imdbTree(10);
    const a = await loadDataset({ name: "imdb", count: 6 }, { dataDir, seed: 7 }, MANIFESTS);
    const b = await loadDataset({ name: "imdb", count: 6 }, { dataDir, seed: 7 }, MANIFESTS);
    const c = await loadDataset({ name: "imdb", count: 6 }, { dataDir, seed: 8 }, MANIFESTS);
    expect(a.samples.map((s) => s.id)).toEqual(b.samples.map((s) => s.id));
    expect(a.samples.map((s) => s.id)).not.toEqual(c.samples.map((s) => s.id));
    expect(a.samples.filter((s) => s.label === 1)).toHaveLength(3);
    expect(a.samples.filter((s) => s.label === 0)).toHaveLength(3);
    for (const s of a.samples) expect(s.text.startsWith(s.label === 1 ? "great" : "awful")).toBe(true);
    expect(a.availableCount).toBe(20);
    expect(a.issues).toEqual([]);
  });

  it("reports empty reviews and bad file names with the file", async () => {
    const dataDir = imdbTree(3, { "imdb/test/pos/7_8.txt": "  ", "imdb/test/neg/oops.txt": "x" });
    const d = await loadDataset({ name: "imdb", count: 100 }, { dataDir, seed: 1 }, MANIFESTS);
    expect(d.samples).toHaveLength(6);
    expect(d.issues).toEqual([
      { dataset: "imdb", file: "imdb/test/pos/7_8.txt", line: 1, reason: "empty review" },
      { dataset: "imdb", file: "imdb/test/neg/oops.txt", reason: "file name is not <id>_<rating>.txt" },
    ]);
  });

  it("CSV: review,sentiment with quoted newlines; malformed rows at their line", async () => {
    const csv =
      'review,sentiment\n"good, really\ngood",positive\nbad,negative\n,positive\nmeh,maybe\n"open,positive\n';
    const dataDir = writeTree({ "x/imdb.csv": csv });
    const d = await loadDataset(
      { name: "imdb", path: "x/imdb.csv", count: 10 },
      { dataDir, seed: 1 },
      MANIFESTS,
    );
    expect(d.samples.map((s) => [s.text, s.label]).sort()).toEqual([
      ["bad", 0],
      ["good, really\ngood", 1],
    ]);
    expect(d.issues.map((i) => [i.file, i.line])).toEqual([
      ["x/imdb.csv", 5],
      ["x/imdb.csv", 6],
      ["x/imdb.csv", 7],
    ]);
    expect(d.issues[1].reason).toMatch(/maybe/);
  });

  it("CSV with an unknown header is an error naming the file and line 1", async () => {
    const dataDir = writeTree({ "x/imdb.csv": "a,b\n1,2\n" });
    await expect(
      loadDataset({ name: "imdb", path: "x/imdb.csv" }, { dataDir, seed: 1 }, MANIFESTS),
    ).rejects.toThrow(/x\/imdb\.csv:1: header must have columns/);
  });

  it("parquet that is not parquet is an error naming the file", async () => {
    const dataDir = writeTree({ "x/test.parquet": "not parquet at all" });
    await expect(
      loadDataset({ name: "imdb", path: "x/test.parquet" }, { dataDir, seed: 1 }, MANIFESTS),
    ).rejects.toThrow(/x\/test\.parquet: cannot read as parquet/);
  });

  it("a missing folder is an error saying what to put where", async () => {
    const dataDir = writeTree({ "other.txt": "" });
    await expect(loadDataset({ name: "imdb" }, { dataDir, seed: 1 }, MANIFESTS)).rejects.toThrow(
      /does not exist.*EE_DATA_DIR/s,
    );
  });
});

describe("MT-Bench", () => {
  const jsonl = [
    JSON.stringify({ question_id: 81, turns: ["first one", "second one"] }),
    "{not json",
    JSON.stringify({ question_id: 83 }),
    JSON.stringify({ question_id: 84, turns: ["", "x"] }),
    "",
    JSON.stringify({ question_id: 85, turns: ["fifth", "fifth b"] }),
  ].join("\n");

  it("turn 1 by default, turn 2 on request; bad lines counted with file:line", async () => {
    const dataDir = writeTree({ "mtb/question.jsonl": jsonl });
    const d1 = await loadDataset({ name: "mt-bench" }, { dataDir, seed: 1 }, MANIFESTS);
    expect(d1.samples.map((s) => [s.id, s.text])).toEqual([
      ["81", "first one"],
      ["85", "fifth"],
    ]);
    expect(d1.issues.map((i) => `${i.file}:${i.line}`)).toEqual([
      "mtb/question.jsonl:2",
      "mtb/question.jsonl:3",
      "mtb/question.jsonl:4",
    ]);
    expect(d1.issues[0].reason).toMatch(/bad JSON/);
    expect(d1.issues[1].reason).toMatch(/turns/);
    expect(d1.issues[2].reason).toMatch(/empty prompt/);
    const d2 = await loadDataset({ name: "mt-bench", turn: 2 }, { dataDir, seed: 1 }, MANIFESTS);
    expect(d2.samples.map((s) => s.text)).toEqual(["second one", "x", "fifth b"]);
  });

  it("verify: true checks sha256 from MANIFEST.tsv and fails on a mismatch", async () => {
    const good = writeTree({
      "mtb/question.jsonl": jsonl,
      "MANIFEST.tsv": `path\tbytes\tsha256\nmtb/question.jsonl\t1\t${sha(jsonl)}\n`,
    });
    await expect(
      loadDataset({ name: "mt-bench" }, { dataDir: good, seed: 1, verify: true }, MANIFESTS),
    ).resolves.toBeTruthy();
    const bad = writeTree({
      "mtb/question.jsonl": jsonl,
      "MANIFEST.tsv": `path\tbytes\tsha256\nmtb/question.jsonl\t1\t${sha("x")}\n`,
    });
    await expect(
      loadDataset({ name: "mt-bench" }, { dataDir: bad, seed: 1, verify: true }, MANIFESTS),
    ).rejects.toThrow(/question\.jsonl sha256 .* ≠ expected/);
  });
});

describe("ShareGPT", () => {
  const list = [
    {
      id: "a_0",
      conversations: [
        { from: "human", value: "hello there" },
        { from: "gpt", value: "hi" },
      ],
    },
    { id: "b_0", conversations: [{ from: "gpt", value: "I start" }] },
    { id: "c_0", conversations: [{ from: "human", value: "   " }] },
    { id: "d_0" },
    { id: "e_0", conversations: [{ from: "human", value: "a much longer prompt with many words in it" }] },
  ];

  it("first human turn is the prompt; gpt-first filtered; malformed reported at list index + 1", async () => {
    const dataDir = writeTree({ "sg/a.json": JSON.stringify(list) });
    const d = await loadDataset({ name: "sharegpt" }, { dataDir, seed: 3 }, MANIFESTS);
    expect(d.samples.map((s) => s.id).sort()).toEqual(["a_0", "e_0"]);
    expect(d.filteredCount).toBe(1);
    expect(d.issues.map((i) => `${i.file}:${i.line}: ${i.reason}`)).toEqual([
      "sg/a.json:3: empty prompt",
      'sg/a.json:4: missing field "conversations"',
    ]);
  });

  it("token length filter uses the given tokenizer, and is an error without one", async () => {
    const dataDir = writeTree({ "sg/a.json": JSON.stringify(list) });
    const countTokens = (t: string) => t.split(/\s+/).length;
    const d = await loadDataset(
      { name: "sharegpt", maxPromptTokens: 4 },
      { dataDir, seed: 3, countTokens },
      MANIFESTS,
    );
    expect(d.samples.map((s) => s.id)).toEqual(["a_0"]);
    expect(d.filteredCount).toBe(2);
    await expect(
      loadDataset({ name: "sharegpt", maxPromptTokens: 4 }, { dataDir, seed: 3 }, MANIFESTS),
    ).rejects.toThrow(/need a tokenizer/);
  });

  it("seeded sampling draws the asked count deterministically", async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({
      id: `p${i}`,
      conversations: [{ from: "human", value: `prompt ${i}` }],
    }));
    const dataDir = writeTree({ "sg/a.json": JSON.stringify(many) });
    const a = await loadDataset({ name: "sharegpt", count: 10 }, { dataDir, seed: 3 }, MANIFESTS);
    const b = await loadDataset({ name: "sharegpt", count: 10 }, { dataDir, seed: 3 }, MANIFESTS);
    expect(a.samples).toHaveLength(10);
    expect(new Set(a.samples.map((s) => s.id)).size).toBe(10);
    expect(a.samples).toEqual(b.samples);
  });

  it("folder form: one conversation per file; bad JSON file reported; metadata skipped", async () => {
    const dataDir = writeTree({
      "sgc/x_0.json": JSON.stringify({ id: "x_0", conversations: [{ from: "human", value: "q" }] }),
      "sgc/y_0.json": JSON.stringify({ id: "y_0", conversations: [{ from: "gpt", value: "r" }] }),
      "sgc/z_0.json": "{",
      "sgc/sampling_metadata.json": JSON.stringify({ sample_size: 3 }),
    });
    const d = await loadDataset({ name: "sharegpt-conversations" }, { dataDir, seed: 1 }, MANIFESTS);
    expect(d.samples.map((s) => s.id)).toEqual(["x_0"]);
    expect(d.filteredCount).toBe(1);
    expect(d.issues).toHaveLength(1);
    expect(d.issues[0].file).toBe("sgc/z_0.json");
  });
});

describe("IMDB parquet", () => {
  it("reads text,label columns; rows with an empty text are reported at row index + 1", async () => {
    const rows = [
      { text: "a fine film", label: 1 },
      { text: "", label: 0 },
      { text: "dreadful", label: 0 },
      { text: "loved it", label: 1 },
    ];
    const dataDir = writeTree({});
    writeFileSync(join(dataDir, "test.parquet"), writeParquet(rows));
    const d = await loadDataset(
      { name: "imdb", path: "test.parquet", count: 10 },
      { dataDir, seed: 1 },
      MANIFESTS,
    );
    expect(d.samples.map((s) => [s.text, s.label])).toEqual([
      ["a fine film", 1],
      ["dreadful", 0],
      ["loved it", 1],
    ]);
    expect(d.issues).toEqual([
      { dataset: "imdb", file: "test.parquet", line: 2, reason: "row 1: missing or empty text" },
    ]);
  });
});

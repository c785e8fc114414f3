/** A tiny suite over fixture data for the runner/report tests. */
import type { Suite } from "../src/types.js";
import { writeManifests, writeTree } from "./datasets/fixtures.js";

/** Data dir with 6 IMDB reviews per class, 4 MT-Bench questions and 6 ShareGPT prompts (one malformed). */
export function fixtureData(): { dataDir: string; manifestDir: string } {
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) {
    files[`imdb/test/pos/${i}_9.txt`] = `a good film number ${i}`;
    files[`imdb/test/neg/${i}_1.txt`] = `a bad film number ${i}`;
  }
  files["mtb/question.jsonl"] = [1, 2, 3, 4]
    .map((i) => JSON.stringify({ question_id: i, turns: [`question ${i}`, "more"] }))
    .join("\n");
  files["sg/a.json"] = JSON.stringify([
    ...[1, 2, 3, 4, 5].map((i) => ({
      id: `p${i}`,
      conversations: [{ from: "human", value: `prompt ${i}` }],
    })),
    { id: "bad" },
  ]);
  const dataDir = writeTree(files);
  const manifestDir = writeManifests({
    imdb: { description: "imdb", format: "aclimdb", paths: ["imdb"], defaultCount: 5000, source: "fixture" },
    "mt-bench": {
      description: "mtb",
      format: "mt-bench-jsonl",
      paths: ["mtb/question.jsonl"],
      defaultCount: 80,
      source: "fixture",
    },
    sharegpt: {
      description: "sg",
      format: "sharegpt-json",
      paths: ["sg/a.json"],
      defaultCount: 2000,
      source: "fixture",
    },
  });
  return { dataDir, manifestDir };
}

/** Two rows: a bs-1 classifier on IMDB and a batched generator on MT-Bench + ShareGPT run twice. */
export function fixtureSuite(): Suite {
  const paper = {
    model: "BERT-base",
    vllm: "No",
    bs: 1,
    viSec: 39.02,
    eeSec: 39.27,
    deltaTPct: -0.64,
    fidelityPct: 92.38,
    deltaTStdPct: 0.89,
  };
  return {
    name: "fixture",
    description: "test",
    microbenchIterations: 5,
    rows: [
      {
        id: "cls",
        label: "Classifier",
        model: "fake-bert",
        task: "classify",
        scheme: "full",
        datasets: [{ name: "imdb", count: 6 }],
        passes: 1,
        batchSize: 1,
        maxLength: 16,
        maxNewTokens: 0,
        repetitions: 3,
        warmup: 1,
        seed: 1,
        engine: "onnxruntime",
        launcher: "in-process",
        runtime: "ORT",
        paper,
      },
      {
        id: "gen-bs2",
        label: "Generator",
        model: "fake-llama",
        task: "generate",
        scheme: "full",
        datasets: [
          { name: "mt-bench", count: 2 },
          { name: "sharegpt", count: 3 },
        ],
        passes: 2,
        batchSize: 2,
        maxLength: 16,
        maxNewTokens: 3,
        repetitions: 3,
        warmup: 1,
        seed: 1,
        engine: "onnxruntime",
        launcher: "in-process",
        runtime: "ORT batched (bs 2)",
        note: "fixture",
      },
    ],
  };
}

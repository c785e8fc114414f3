/** Small suites and data folders for the fault tests (IMDB reviews from the shared data folder, bad files beside them). */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveBenchDataDir } from "../../src/paths.js";

/** A data folder in `dir` with bad files (random bytes, empty) and links to the real data. */
export function dataDirWith(dir: string): string {
  const d = join(dir, "D");
  if (existsSync(d)) return d;
  const real = resolveBenchDataDir(undefined);
  mkdirSync(join(d, "sg"), { recursive: true });
  mkdirSync(join(d, "imdb", "test", "pos"), { recursive: true });
  mkdirSync(join(d, "imdb", "test", "neg"), { recursive: true });
  const noise = (n: number, seed: number) =>
    Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + ((i * i) >> 3)) & 255));
  writeFileSync(join(d, "sg", "random.json"), noise(4096, 1));
  writeFileSync(join(d, "sg", "empty.json"), "");
  writeFileSync(join(d, "rand.parquet"), noise(4096, 2));
  writeFileSync(join(d, "imdb", "test", "pos", "0_9.txt"), noise(3000, 3));
  writeFileSync(join(d, "imdb", "test", "neg", "0_1.txt"), noise(3000, 4));
  for (const f of ["model_files", "imdb_aclImdb"]) symlinkSync(join(real, f), join(d, f));
  return d;
}

/** Writes a one-row suite `name.json` in `dir` over `dataset`; returns its relative path. */
export function suiteFile(
  dir: string,
  name: string,
  dataset: Record<string, unknown>,
  model = "bert-tiny",
  row: Record<string, unknown> = {},
): string {
  const task = (row.task as string | undefined) ?? (model.startsWith("llama") ? "generate" : "classify");
  const suite = {
    name,
    description: "fault test",
    microbenchIterations: 0,
    defaults: { scheme: "full", repetitions: 3, warmup: 0, seed: 1 },
    rows: [
      {
        id: "r",
        label: "r",
        model,
        task,
        datasets: [dataset],
        batchSize: 1,
        maxLength: 32,
        ...(task === "generate" ? { maxNewTokens: 2 } : {}),
        ...row,
      },
    ],
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(suite));
  return `./${name}.json`;
}

/** The real IMDB test reviews (a selection for suites). */
export const IMDB = { name: "imdb", path: "imdb_aclImdb/test", count: 2 };

/** Finds, reads and validates a suite: a name in `benchmarks/` or a path to a JSON file. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { engineNames, LAUNCHERS, type Launcher } from "ee-models";
import { benchmarksDir } from "../paths.js";
import type { Suite } from "../types.js";
import { parseSuite } from "./schema.js";

/** Names of the suites in `dir` (default: the repository's `benchmarks/`). */
export function listSuites(dir: string = benchmarksDir()): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}

/** Loads `nameOrPath` (`smoke`, or `./my-suite.json`). */
export function loadSuite(nameOrPath: string, dir: string = benchmarksDir()): Suite {
  const file = nameOrPath.endsWith(".json") ? nameOrPath : join(dir, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new Error(
      `suite "${nameOrPath}" not found: no ${file} (suites in ${dir}: ${listSuites(dir).join(", ") || "none"})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseSuite(json, file);
}

/** Command-line overrides applied on top of a suite. */
export interface SuiteOverrides {
  /** Keep only these row ids (ids). */
  rows?: string[];
  /** Replace every dataset's count (samples). */
  count?: number;
  /** Replace every row's repetitions, ≥ 3 (count). */
  repetitions?: number;
  /** Replace every row's warm-up calls (calls). */
  warmup?: number;
  /** Replace every row's engine (registry name). */
  engine?: string;
  /** Replace every row's launcher. */
  launcher?: Launcher;
}

/** Applies overrides; unknown row ids and repetitions < 3 are errors. */
export function applyOverrides(suite: Suite, o: SuiteOverrides): Suite {
  let rows = suite.rows;
  if (o.rows && o.rows.length > 0) {
    const unknown = o.rows.filter((id) => !rows.some((r) => r.id === id));
    if (unknown.length > 0) {
      throw new Error(
        `--rows: unknown row id(s) ${unknown.join(", ")} (suite ${suite.name} has ${rows.map((r) => r.id).join(", ")})`,
      );
    }
    rows = rows.filter((r) => o.rows!.includes(r.id));
  }
  if (o.repetitions !== undefined && (!Number.isInteger(o.repetitions) || o.repetitions < 3)) {
    throw new Error(`--repetitions: must be an integer ≥ 3, got ${o.repetitions}`);
  }
  if (o.engine !== undefined && !engineNames().includes(o.engine))
    throw new Error(`--engine: unknown engine "${o.engine}" (known: ${engineNames().join(", ")})`);
  if (o.launcher !== undefined && !LAUNCHERS.includes(o.launcher))
    throw new Error(`--launcher: must be one of ${LAUNCHERS.join(", ")}, got ${o.launcher}`);
  rows = rows.map((r) => ({
    ...r,
    ...(o.engine !== undefined ? { engine: o.engine } : {}),
    ...(o.launcher !== undefined ? { launcher: o.launcher } : {}),
    ...(o.repetitions !== undefined ? { repetitions: o.repetitions } : {}),
    ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
    datasets: o.count !== undefined ? r.datasets.map((d) => ({ ...d, count: o.count })) : r.datasets,
  }));
  return { ...suite, rows };
}

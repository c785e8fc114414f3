/**
 * Synthetic run histories made by the real runner (`runSuite`, which writes config.json, env.json,
 * samples.jsonl and summary.json) over fake targets with a fake clock: a classifier row and its A/A
 * control, whose EE side is slower by a per-run fraction chosen by the test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSuite } from "../../src/runner/run-suite.js";
import type { Suite, TargetFactory } from "../../src/types.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

/** The fixture's classifier row plus an A/A control row that names it. */
export function historySuite(): Suite {
  const base = fixtureSuite();
  const cls = base.rows[0];
  return {
    ...base,
    name: "nightly",
    microbenchIterations: 0,
    rows: [
      { ...cls, paper: undefined },
      {
        ...cls,
        id: "cls-aa",
        label: "Classifier A/A",
        scheme: "control",
        controls: ["cls"],
        paper: undefined,
      },
    ],
  };
}

/** One run of `historySuite` in `reportsDir`: EE slower by `eeSlowdown` (fraction), control by `controlSlowdown`. */
export async function fakeNightly(
  reportsDir: string,
  runId: string,
  eeSlowdown: number,
  controlSlowdown = 0,
): Promise<string> {
  const { dataDir, manifestDir } = fixtureData();
  const clock = new FakeClock();
  // ±1 % per-call jitter: each run's paired interval has a real width
  const main = fakeFactory({ clock, eeSlowdown, eeJitter: 0.02 });
  const control = fakeFactory({ clock, eeSlowdown: controlSlowdown, eeJitter: 0.02 });
  const factory: TargetFactory = (row, ctx) => (row.scheme === "control" ? control : main)(row, ctx);
  const r = await runSuite({
    suite: historySuite(),
    dataDir,
    manifestDir,
    reportsDir,
    runId,
    cacheDir: "/x",
    factory,
    clock: clock.now,
    progressStream: { write: () => true },
    log: () => {},
    render: false,
  });
  return r.runDir;
}

/** Edits a written env.json field, as if the run had been measured on another machine. */
export function setEnvField(runDir: string, field: string, value: unknown): void {
  const file = join(runDir, "env.json");
  const env = JSON.parse(readFileSync(file, "utf8"));
  env[field] = value;
  writeFileSync(file, JSON.stringify(env, null, 2));
}

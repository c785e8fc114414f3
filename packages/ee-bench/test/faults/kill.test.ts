/**
 * SIGKILL during `ee build`, `ee encrypt` and `ee run`, then the same command again: the output is
 * complete and usable or absent (never half-written under its name and accepted), and the rerun
 * completes or refuses clearly. The kill times sweep the command's duration (measured first).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, ee, eeSpawn, expectRefusal, killHard, scratch, TEXT } from "./harness.js";
import { dataDirWith, IMDB, suiteFile } from "./suites.js";

const { dir, cleanup } = scratch("kill");
beforeAll(() => buildFixtures(dir, ["bert"]));
afterAll(cleanup);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wall time of `ee args` (ms), to spread kill times over it. */
async function duration(args: string[]): Promise<number> {
  const t0 = performance.now();
  const o = await ee(dir, args);
  if (o.code !== 0) throw new Error(o.stderr);
  return performance.now() - t0;
}

/** Kill `ee args` after `ms`. */
async function killAfter(args: string[], ms: number): Promise<void> {
  const child = eeSpawn(dir, args);
  await sleep(ms);
  await killHard(child);
}

/** No temporary sibling of `name` is visible as an output. */
function noHalfOutput(name: string): void {
  for (const f of readdirSync(dir))
    if (f !== name) expect(f.startsWith(`${name}.`) && !f.startsWith(".")).toBe(false);
}

const FRACTIONS = [0.35, 0.8];

describe("SIGKILL then rerun", () => {
  it("ee build: the folder is absent or complete; the rerun builds or refuses clearly", async () => {
    const t = await duration(["build", "bert-tiny", "--out", "B-probe"]);
    for (const [i, f] of FRACTIONS.entries()) {
      const out = `B${i}`;
      await killAfter(["build", "bert-tiny", "--out", out], t * f);
      noHalfOutput(out);
      if (existsSync(join(dir, out))) expect((await ee(dir, ["infer", out, "--text", TEXT])).code).toBe(0);
      const again = await ee(dir, ["build", "bert-tiny", "--out", out]);
      if (again.code !== 0) expectRefusal(again, out, "--overwrite");
      expect((await ee(dir, ["infer", out, "--text", TEXT])).code).toBe(0);
    }
  });

  it("ee encrypt: folder and key are both usable or the infer is refused; the rerun completes or refuses clearly", async () => {
    const t = await duration(["encrypt", "P", "--out", "E-probe", "--key", "K-probe"]);
    for (const [i, f] of FRACTIONS.entries()) {
      const [out, key] = [`EK${i}`, `KK${i}`];
      await killAfter(["encrypt", "P", "--out", out, "--key", key], t * f);
      noHalfOutput(out);
      const use = await ee(dir, ["infer", out, "--key", key, "--text", TEXT]);
      if (use.code !== 0) expectRefusal(use, out);
      const again = await ee(dir, ["encrypt", "P", "--out", out, "--key", key]);
      if (again.code !== 0) {
        expectRefusal(again, "--overwrite");
        expect((await ee(dir, ["encrypt", "P", "--out", out, "--key", key, "--overwrite"])).code).toBe(0);
      }
      expect((await ee(dir, ["infer", out, "--key", key, "--text", TEXT])).code).toBe(0);
    }
  });

  it("ee run: killed mid-measurement, --resume completes the run with every pair exactly once", async () => {
    const data = dataDirWith(dir);
    const reps = 150;
    const suite = suiteFile(dir, "s-kill", IMDB, "bert-tiny", { repetitions: reps });
    const args = ["run", suite, "--data-dir", data, "--out", "OK", "--no-render"];
    const child = eeSpawn(dir, args);
    let runDir: string | undefined;
    for (let i = 0; i < 1200; i++) {
      await sleep(100);
      const f = existsSync(join(dir, "OK"))
        ? readdirSync(join(dir, "OK")).find((n) => n.startsWith("s-kill"))
        : undefined;
      const log = f ? join(dir, "OK", f, "samples.jsonl") : undefined;
      if (log && existsSync(log) && readFileSync(log, "utf8").split("\n").length > 20) {
        runDir = join("OK", f!);
        break;
      }
    }
    await killHard(child);
    expect(runDir, "the run wrote samples before the kill").toBeDefined();
    const resumed = await ee(dir, [
      "run",
      "--resume",
      runDir!,
      "--data-dir",
      data,
      "--out",
      "OK",
      "--no-render",
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = readFileSync(join(dir, runDir!, "samples.jsonl"), "utf8")
      .trim()
      .split("\n");
    const keys = lines.map((l) => JSON.parse(l)).map((r) => `${r.row}/${r.rep}/${r.call}/${r.target}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(reps * 2 * 2); // reps × 2 samples × (vi, ee)
  });
});

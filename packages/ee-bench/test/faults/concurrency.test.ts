/**
 * Two writers at once: two `ee run` sharing a fresh model cache (the second waits for the cache entry
 * instead of failing with ENOENT or corrupting it), and a `--resume` of a run folder another process
 * is writing (refused naming the holder; the folder is not touched). A lock left by a killed process
 * is stale and does not block.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alive } from "../process-tree.js";
import { ee, eeSpawn, exited, expectRefusal, scratch } from "./harness.js";
import { dataDirWith, IMDB, suiteFile } from "./suites.js";

const { dir, cleanup } = scratch("concurrency");
afterAll(cleanup);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("concurrent writers", () => {
  it("two ee run on one fresh model cache both complete", async () => {
    const data = dataDirWith(dir);
    const suite = suiteFile(dir, "s-two", IMDB);
    const args = ["run", suite, "--data-dir", data, "--out", "O", "--no-render"];
    const [a, b] = await Promise.all([ee(dir, args), ee(dir, args)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readdirSync(join(dir, "O")).filter((f) => f.startsWith("s-two"))).toHaveLength(2);
  });

  it("--resume of a folder another process writes is refused naming the holder; a stale lock does not block", async () => {
    const data = dataDirWith(dir);
    const suite = suiteFile(dir, "s-lock", IMDB, "bert-tiny", { repetitions: 200 });
    const args = ["run", suite, "--data-dir", data, "--out", "O", "--no-render"];
    const writer = eeSpawn(dir, args);
    let runDir: string | undefined;
    for (let i = 0; i < 300 && runDir === undefined; i++) {
      await sleep(100);
      const f = existsSync(join(dir, "O"))
        ? readdirSync(join(dir, "O")).find((n) => n.startsWith("s-lock"))
        : undefined;
      if (f && existsSync(join(dir, "O", f, "env.json"))) runDir = join("O", f);
    }
    expect(runDir).toBeDefined();
    const second = await ee(dir, [
      "run",
      "--resume",
      runDir!,
      "--data-dir",
      data,
      "--out",
      "O",
      "--no-render",
    ]);
    // `ee` re-launches itself (huge pages): the lock names the worker process, which is the writer's child
    const lock = JSON.parse(readFileSync(join(dir, runDir!, ".ee-run.lock"), "utf8"));
    expect(lock).toMatchObject({ host: hostname() });
    expectRefusal(second, "is locked by pid", String(lock.pid));
    writer.kill("SIGKILL");
    await exited(writer);
    // kill -9 of the ee the user started takes its worker down too (it watches its launcher) …
    for (let i = 0; i < 50 && alive(lock.pid); i++) await sleep(100);
    expect(alive(lock.pid), `worker ${lock.pid} outlived its killed launcher`).toBe(false);
    // … so its lock is stale now: the resume proceeds and completes.
    expect(JSON.parse(readFileSync(join(dir, runDir!, ".ee-run.lock"), "utf8"))).toMatchObject({
      pid: lock.pid,
    });
    const resumed = await ee(dir, [
      "run",
      "--resume",
      runDir!,
      "--data-dir",
      data,
      "--out",
      "O",
      "--no-render",
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, runDir!, ".ee-run.lock"))).toBe(false);
  });

  it("a lock file of a dead process on this host is taken over", async () => {
    const data = dataDirWith(dir);
    const suite = suiteFile(dir, "s-stale", IMDB);
    const first = await ee(dir, ["run", suite, "--data-dir", data, "--out", "OS", "--no-render"]);
    expect(first.code, first.stderr).toBe(0);
    const run = join("OS", readdirSync(join(dir, "OS")).find((f) => f.startsWith("s-stale"))!);
    writeFileSync(
      join(dir, run, ".ee-run.lock"),
      JSON.stringify({ pid: 999999999, host: hostname(), startedAt: "then", purpose: "killed" }),
    );
    const o = await ee(dir, ["run", "--resume", run, "--data-dir", data, "--out", "OS", "--no-render"]);
    expect(o.code, o.stderr).toBe(0);
  });
});

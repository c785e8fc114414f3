/**
 * Fault-injection harness: the `ee` CLI run as a user runs it (a child process on bin/ee.js), a
 * scratch folder per test file, a content hash of a folder tree, and the three things every bad-input
 * case asserts: a non-zero exit code, one `ee: …` line on stderr naming the culprit, and no file lost
 * or changed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "vitest";
import { alive, processTree } from "../process-tree.js";

const EE = new URL("../../bin/ee.js", import.meta.url).pathname;

/** What one `ee` call did. */
export interface Outcome {
  /** Exit code (0 = success). */
  code: number;
  /** Standard output (text). */
  stdout: string;
  /** Standard error (text). */
  stderr: string;
}

/** A scratch folder for one test file, removed by `cleanup`. */
export function scratch(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ee-faults-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `ee args…` in `cwd`; never throws. */
export function ee(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [EE, ...args],
      { cwd, maxBuffer: 1 << 24, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Starts `ee args…` in `cwd` without waiting (for SIGKILL and concurrency cases). */
export function eeSpawn(cwd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [EE, ...args], { cwd, stdio: "ignore", env: { ...process.env, ...env } });
}

/**
 * `kill -9` of an `ee` the way a user does it: SIGKILL to the command's own process only. `ee`
 * re-launches itself (huge pages) and the worker watches its launcher, so the worker must be gone
 * shortly after; resolves when it is, and fails when it outlives the launcher by 5 s.
 */
export async function killHard(child: ChildProcess): Promise<void> {
  const workers = child.pid === undefined ? [] : processTree(child.pid).slice(1);
  child.kill("SIGKILL");
  await exited(child);
  for (let i = 0; i < 100 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
  const left = workers.filter(alive);
  if (left.length > 0) throw new Error(`ee worker(s) ${left.join(", ")} outlived their killed launcher`);
}

/** Resolves when `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once("exit", () => r());
  });
}

/** Path → sha256 of every file under `dir` (relative paths); empty when `dir` does not exist. */
export function treeHash(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/**
 * Asserts a refusal: exit code 1, nothing on stdout, and exactly one stderr line that is a message
 * (`ee: …`, or commander's `error: …`; progress and warning lines aside) containing every `names` entry.
 */
export function expectRefusal(o: Outcome, ...names: string[]): string {
  const lines = o.stderr.split("\n").filter((l) => /^(ee: |error: )/.test(l));
  expect(o.code, `exit code; stderr: ${o.stderr}`).toBe(1);
  expect(lines.length, `one message line; stderr: ${o.stderr}`).toBe(1);
  for (const n of names) expect(lines[0]).toContain(n);
  expect(o.stdout).toBe("");
  return lines[0];
}

/** Runs `fn` and asserts that the tree under `root` is byte-identical before and after. */
export async function unchanged<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const before = treeHash(root);
  const r = await fn();
  expect(treeHash(root)).toEqual(before);
  return r;
}

/** Builds the shared fixtures in `dir`: bert-tiny P (+ encrypted E/K, E2/K2), roberta-tiny R, llama-tiny L (+ LE/LK). */
export async function buildFixtures(dir: string, which: ("bert" | "roberta" | "llama")[]): Promise<void> {
  const steps: string[][] = [];
  if (which.includes("bert")) {
    steps.push(["build", "bert-tiny", "--out", "P", "--seed", "7"]);
    steps.push(["encrypt", "P", "--out", "E", "--key", "K"]);
    steps.push(["encrypt", "P", "--out", "E2", "--key", "K2"]);
  }
  if (which.includes("roberta")) steps.push(["build", "roberta-tiny", "--out", "R", "--seed", "7"]);
  if (which.includes("llama")) {
    steps.push(["build", "llama-tiny", "--out", "L", "--seed", "7"]);
    steps.push(["encrypt", "L", "--out", "LE", "--key", "LK"]);
  }
  for (const s of steps) {
    const o = await ee(dir, s);
    if (o.code !== 0) throw new Error(`fixture ee ${s.join(" ")} failed: ${o.stderr}`);
  }
}

/** A short review for the classifiers. */
export const TEXT = "A wonderful film.";

/**
 * `processTree` and `peakRssMiB` over real processes: a child that starts a grandchild is one tree of
 * three; the peak RSS of a tree is at least that of its largest member; a pid that does not exist is a
 * tree of one with no memory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { peakRssMiB, processTree } from "../src/process-tree.js";

/** A node child that starts a grandchild, prints its pid and waits. */
const PARENT_SCRIPT = `
const { spawn } = require("node:child_process");
const g = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
process.stdout.write(g.pid + "\\n");
process.on("SIGTERM", () => { g.kill("SIGTERM"); process.exit(0); });
setTimeout(() => {}, 60000);
`;

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill("SIGTERM");
});

/** VmHWM of one process (MiB). */
function ownPeak(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

describe("processTree", () => {
  it("finds a child's grandchild, and the tree's peak RSS is its largest member's", async () => {
    child = spawn(process.execPath, ["-e", PARENT_SCRIPT], { stdio: ["ignore", "pipe", "inherit"] });
    const grandchild = await new Promise<number>((resolve, reject) => {
      let out = "";
      child!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) resolve(Number(out.trim()));
      });
      child!.once("exit", (code) => reject(new Error(`child exited (${code}) before starting its child`)));
    });
    const mine = processTree(process.pid);
    const tree = processTree(child.pid!);
    expect(tree).toEqual([child.pid, grandchild]);
    expect(mine).toEqual(expect.arrayContaining([process.pid, child.pid, grandchild]));
    const peak = peakRssMiB(child.pid!);
    expect(peak).not.toBeNull();
    expect(peak).toBeGreaterThanOrEqual(Math.max(ownPeak(child.pid!), ownPeak(grandchild)) - 1); // may grow meanwhile
  });

  it("a pid that does not exist is a tree of itself with no memory", () => {
    const gone = 2 ** 22 + 12345; // above Linux's pid_max
    expect(processTree(gone)).toEqual([gone]);
    expect(peakRssMiB(gone)).toBeNull();
  });
});

/**
 * `ee serve` as a user runs it: a child process on the built CLI, serving an encrypted llama-tiny on
 * loopback. The server starts while no key file exists anywhere on disk (the key's bytes are held by
 * this test and written back, under a new name, only after the server is up), and its open files are
 * sampled during requests: it never opens a key. SIGTERM stops it gracefully (exit 0).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { EEHttpClient } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processTree } from "../process-tree.js";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;

let dir: string;
let server: ChildProcess;
let url: string;
let keyPath: string;
const exited = { code: null as number | null, stdout: "" };

/** Paths the process and its children have open now (their /proc fd links). */
function openFiles(pid: number): string[] {
  return processTree(pid).flatMap((p) => {
    const fdDir = `/proc/${p}/fd`;
    try {
      return readdirSync(fdDir).flatMap((fd) => {
        try {
          return [readlinkSync(join(fdDir, fd))];
        } catch {
          return [];
        }
      });
    } catch {
      return [];
    }
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-serve-cli-"));
  await run(process.execPath, [EE, "build", "llama-tiny", "--out", "plain", "--seed", "5"], { cwd: dir });
  mkdirSync(join(dir, "client"));
  const firstKey = join(dir, "client", "key.safetensors");
  await run(process.execPath, [EE, "encrypt", "plain", "--out", "enc", "--key", firstKey], { cwd: dir });
  const keyBytes = readFileSync(firstKey);
  unlinkSync(firstKey); // no key on disk while the server starts
  server = spawn(process.execPath, [EE, "serve", "enc", "--port", "0", "--log-requests", "seen.jsonl"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (d: Buffer) => {
    exited.stdout += d.toString();
  });
  server.on("exit", (code) => {
    exited.code = code;
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ee serve did not start: ${exited.stdout}`)), 60_000);
    server.stdout?.on("data", () => {
      const m = /listening on (http:\/\/\S+)/.exec(exited.stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.stderr?.on("data", (d: Buffer) => reject(new Error(`ee serve: ${d.toString()}`)));
  });
  keyPath = join(dir, "client", "after-start.safetensors");
  writeFileSync(keyPath, keyBytes, { mode: 0o600 });
});

afterAll(() => {
  if (exited.code === null) server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("ee serve (child process)", () => {
  it("serves encrypted completions to the key holder and never opens a key file", async () => {
    const client = await EEHttpClient.open({ endpoint: url, keyPath, concurrency: 2 });
    const seen = new Set<string>();
    const sample = setInterval(() => {
      for (const f of openFiles(server.pid as number)) seen.add(f);
    }, 5);
    try {
      const out = await client.generate(
        [
          [1, 2, 3],
          [4, 5, 6, 7],
        ],
        { maxNewTokens: 6, topK: 3 },
      );
      expect(out.sequences.map((s) => s.tokenIds.length)).toEqual([6, 6]);
    } finally {
      clearInterval(sample);
    }
    for (const f of openFiles(server.pid as number)) seen.add(f);
    // the sampled processes are the server's: its request log is among their open files
    expect([...seen].some((f) => f.endsWith("seen.jsonl"))).toBe(true);
    expect(
      [...seen].filter((f) => f.includes("client") || f.endsWith(".key") || f.includes("key.safetensors")),
    ).toEqual([]);
    for (const p of processTree(server.pid as number))
      expect(readFileSync(`/proc/${p}/cmdline`, "utf8")).not.toContain("client");
  });

  it("logs the server's view: encrypted ids only", async () => {
    // lines are appended after each answer went out: wait for both (bounded: 100 × 50 ms)
    const read = () =>
      readFileSync(join(dir, "seen.jsonl"), "utf8")
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l));
    let lines = read();
    for (let i = 0; i < 100 && lines.filter((l) => l.route === "POST /v1/completions").length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = read();
    }
    const gen = lines.filter((l) => l.route === "POST /v1/completions");
    const short = gen.find((l) => JSON.stringify(l.promptLengths) === "[3]");
    expect(short).toBeDefined();
    expect(short.promptTokenIds[0]).not.toEqual([1, 2, 3]);
    expect(short.outputTokenIds[0]).toHaveLength(6);
  });

  it("refuses a folder with a tokenizer, naming the file", async () => {
    writeFileSync(join(dir, "plain", "tokenizer.json"), "{}");
    const r = await run(process.execPath, [EE, "serve", "plain", "--port", "0"], { cwd: dir }).catch(
      (e) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to serve a folder that holds a tokenizer \(tokenizer\.json\)/);
  });

  it("stops gracefully on SIGTERM", async () => {
    const done = new Promise<number | null>((r) => server.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    expect(await done).toBe(0);
    expect(exited.stdout).toMatch(/stopped/);
  });
});

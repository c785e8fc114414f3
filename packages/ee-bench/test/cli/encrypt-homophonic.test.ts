/**
 * `ee encrypt --scheme homophonic` as a user runs it (child process on the built CLI): the homophones
 * are sized from `--homophones-from FILE` (tokenized by the plain folder's tokenizer) with
 * `--homophone-extra N` extra ids, the encrypted config has V + N ids, `ee infer --key` on the
 * encrypted folder gives the plain folder's label, and the homophone flags are refused for other schemes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;
let dir: string;

async function ee(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [EE, ...args], { cwd: dir, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-encrypt-homophonic-"));
  const built = await ee("build", "bert-tiny", "--out", "plain", "--seed", "3");
  expect(built.code, built.stderr).toBe(0);
  // the client's own text, written here (not third-party data)
  writeFileSync(
    join(dir, "corpus.txt"),
    "the film was good and the cast was good\n\nthe plot was thin but the music was fine\nthe end\n",
  );
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ee encrypt --scheme homophonic", () => {
  it("sizes the homophones from --homophones-from with --homophone-extra ids; infer gives the plain label", async () => {
    const enc = await ee(
      "encrypt",
      "plain",
      "--out",
      "enc",
      "--key",
      "h.key",
      "--scheme",
      "homophonic",
      "--homophones-from",
      "corpus.txt",
      "--homophone-extra",
      "100",
    );
    expect(enc.code, enc.stderr).toBe(0);
    expect(enc.stderr).toMatch(/homophone counts from corpus\.txt \(3 lines\); 100 extra encrypted ids/);
    const plainCfg = JSON.parse(readFileSync(join(dir, "plain", "config.json"), "utf8"));
    const encCfg = JSON.parse(readFileSync(join(dir, "enc", "config.json"), "utf8"));
    expect(encCfg.vocab_size).toBe(plainCfg.vocab_size + 100);
    const text = "the film was good and the music was fine";
    const a = await ee("infer", "plain", "--text", text);
    const b = await ee("infer", "enc", "--key", "h.key", "--tokenizer", "plain", "--text", text);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const label = (s: string) => /label: \S+ \([\d.]+ %/.exec(s)?.[0]; // label and probability, not the timing
    expect(label(a.stdout)).toMatch(/^label/);
    expect(label(b.stdout)).toBe(label(a.stdout));
  });

  it("refuses the homophone flags for another scheme, and a missing corpus file", async () => {
    const full = await ee("encrypt", "plain", "--out", "f", "--key", "f.key", "--homophone-extra", "10");
    expect(full.code).not.toBe(0);
    expect(full.stderr).toMatch(/homophone options apply to scheme homophonic only/);
    const missing = await ee(
      "encrypt",
      "plain",
      "--out",
      "m",
      "--key",
      "m.key",
      "--scheme",
      "homophonic",
      "--homophones-from",
      "nope.txt",
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--homophones-from nope\.txt: file not found/);
  });
});

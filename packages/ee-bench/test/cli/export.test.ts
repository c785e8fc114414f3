/**
 * `ee export --format gguf` as a user runs it (child process on the built CLI): a tiny plain Llama and
 * its encrypted twin exported in each type, each header checked with ee-models' GGUF reader, and the
 * misuse errors.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkGgufFile } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;
let dir: string;

async function ee(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [EE, ...args], { cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-export-"));
  expect((await ee("build", "llama-tiny", "--out", "plain", "--seed", "3")).code).toBe(0);
  expect((await ee("encrypt", "plain", "--out", "enc", "--key", "k.safetensors")).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ee export --format gguf", () => {
  it.each(["f32", "f16", "q8_0"])("writes a %s GGUF for the plain and the encrypted folder", async (type) => {
    for (const folder of ["plain", "enc"]) {
      const r = await ee("export", folder, "--format", "gguf", "--type", type);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const path = join(dir, folder, `model-${type}.gguf`);
      expect(r.stdout).toContain(`wrote ${path} (${type}`);
      expect(r.stdout).toContain(folder === "enc" ? "encrypted model, no vocabulary" : "plain model");
      const h = checkGgufFile(path);
      expect(h.metadata.get("general.architecture")).toBe("llama");
      expect(h.metadata.get("tokenizer.ggml.model")).toBe("no_vocab");
    }
  });

  it("writes --out, refuses to overwrite without --overwrite, and names bad input", async () => {
    expect((await ee("export", "plain", "--type", "q8_0", "--out", "x.gguf")).code).toBe(0);
    expect(statSync(join(dir, "x.gguf")).size).toBeGreaterThan(0);
    const again = await ee("export", "plain", "--type", "q8_0", "--out", "x.gguf");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/x.gguf exists \(pass --overwrite to replace it\)/);
    expect((await ee("export", "plain", "--type", "q8_0", "--out", "x.gguf", "--overwrite")).code).toBe(0);
    const badType = await ee("export", "plain", "--type", "q4_0");
    expect(badType.stderr).toMatch(/--type <type>' argument 'q4_0' is invalid/);
    const missing = await ee("export", "nowhere", "--type", "f32");
    expect(missing.stderr).toMatch(/nowhere: config.json not found/);
  });
});

/**
 * The `ee` command as a user runs it: a child process on the built CLI (`bin/ee.js` → dist/). Builds a
 * tiny BERT, encrypts it, and checks that plain and encrypted inference print the same result and
 * that every misuse exits non-zero with a message naming what is wrong.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function ee(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [EE, ...args], { cwd: dir, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
const TEXT = "An unexpectedly moving film with a wonderful cast.";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-cli-"));
  const built = await ee("build", "bert-tiny", "--out", "plain", "--seed", "7");
  expect(built.stderr).toBe("");
  expect(built.code).toBe(0);
  const enc = await ee("encrypt", "plain", "--out", "enc", "--key", "k.safetensors");
  expect(enc.code).toBe(0);
  const vocab = await ee("encrypt", "plain", "--out", "enc2", "--key", "k2.safetensors", "--scheme", "vocab");
  expect(vocab.code).toBe(0);
  const again = await ee("encrypt", "plain", "--out", "enc3", "--key", "k3.safetensors");
  expect(again.code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ee build --weight-dtype float16", () => {
  it("stores a Llama's matrices in half precision: about half the bytes", async () => {
    const f32 = await ee("build", "llama-tiny", "--out", "l32", "--seed", "5");
    const f16 = await ee("build", "llama-tiny", "--out", "l16", "--seed", "5", "--weight-dtype", "float16");
    expect([f32.code, f16.code], f16.stderr).toEqual([0, 0]);
    const size = (d: string) => statSync(join(dir, d, "onnx", "model.onnx")).size;
    expect(size("l16")).toBeLessThan(0.6 * size("l32"));
  });
});

describe("ee build / encrypt / infer", () => {
  it("writes the key with mode 0600 and no tokenizer into the encrypted folder", () => {
    expect(statSync(join(dir, "k.safetensors")).mode & 0o777).toBe(0o600);
    expect(() => statSync(join(dir, "enc", "tokenizer.json"))).toThrow();
    const manifest = JSON.parse(readFileSync(join(dir, "enc", "ee.json"), "utf8"));
    expect(manifest.scheme).toBe("full");
    expect(manifest.architecture).toBe("bert");
  });

  it("prints the same probabilities for plain and encrypted inference", async () => {
    const plain = await ee("infer", "plain", "--text", TEXT, "--json");
    const enc = await ee(
      "infer",
      "enc",
      "--key",
      "k.safetensors",
      "--tokenizer",
      "plain",
      "--text",
      TEXT,
      "--json",
    );
    expect(plain.code).toBe(0);
    expect(enc.code).toBe(0);
    const a = JSON.parse(plain.stdout) as { label: string; probs: Record<string, number> };
    const b = JSON.parse(enc.stdout) as { label: string; probs: Record<string, number> };
    expect(b.label).toBe(a.label);
    for (const [label, p] of Object.entries(a.probs)) expect(b.probs[label]).toBeCloseTo(p, 5);
  });

  it("refuses a key that is not the folder's key", async () => {
    const otherKey = await ee(
      "infer",
      "enc",
      "--key",
      "k3.safetensors",
      "--tokenizer",
      "plain",
      "--text",
      TEXT,
    );
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toMatch(/^ee: .*k3\.safetensors.*not the key/);
    const otherScheme = await ee(
      "infer",
      "enc",
      "--key",
      "k2.safetensors",
      "--tokenizer",
      "plain",
      "--text",
      TEXT,
    );
    expect(otherScheme.code).toBe(1);
    expect(otherScheme.stderr).toMatch(/^ee: .*k2\.safetensors uses scheme 'vocab'.*'full'/);
  });

  it("refuses an encrypted folder without a key, an unknown preset, a bad integer and a missing CUDA provider", async () => {
    const noKey = await ee("infer", "enc", "--text", TEXT);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/encrypted model folder.*--key/);
    const preset = await ee("build", "bert-huge", "--out", "x");
    expect(preset.code).toBe(1);
    expect(preset.stderr).toMatch(/preset "bert-huge"/);
    const half = await ee("build", "bert-tiny", "--out", "x", "--weight-dtype", "float16");
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/weightDtype float16 is implemented for Llama only/);
    const halfHf = await ee(
      "build",
      "llama-tiny",
      "--out",
      "x",
      "--format",
      "hf",
      "--weight-dtype",
      "float16",
    );
    expect(halfHf.code).toBe(1);
    expect(halfHf.stderr).toMatch(/applies to the ONNX format/);
    const seed = await ee("build", "bert-tiny", "--out", "x", "--seed", "one");
    expect(seed.code).not.toBe(0);
    expect(seed.stderr).toMatch(/--seed must be an integer/);
    // This project installs onnxruntime-node without its CUDA libraries (.npmrc), so cuda must fail clearly.
    const cuda = await ee("infer", "plain", "--text", TEXT, "--device", "cuda");
    expect(cuda.code).toBe(1);
    expect(cuda.stderr).toMatch(/device cuda: .*CUDA execution provider/);
  });
});

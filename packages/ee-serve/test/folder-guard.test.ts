/** The server refuses a folder that holds a key or a tokenizer, and names the file. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKey, saveKey } from "ee-core";
import { afterEach, describe, expect, it } from "vitest";
import { checkServableFolder } from "../src/index.js";

const dirs: string[] = [];
function folder(): string {
  const d = mkdtempSync(join(tmpdir(), "ee-serve-guard-"));
  dirs.push(d);
  writeFileSync(join(d, "config.json"), "{}");
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("checkServableFolder", () => {
  it("accepts a folder with a config, weights and a graph only", () => {
    const d = folder();
    mkdirSync(join(d, "onnx"));
    writeFileSync(join(d, "onnx", "model.onnx"), "x");
    expect(checkServableFolder(d)).toBe(d);
  });

  it("refuses a tokenizer file, naming it", () => {
    const d = folder();
    writeFileSync(join(d, "tokenizer.json"), "{}");
    expect(() => checkServableFolder(d)).toThrow(/tokenizer \(tokenizer\.json\)/);
  });

  it("refuses a key file by its name, and by its safetensors header under any name", () => {
    const d = folder();
    writeFileSync(join(d, "model.key"), "x");
    expect(() => checkServableFolder(d)).toThrow(/key file \(model\.key\)/);
    const e = folder();
    mkdirSync(join(e, "sub"));
    saveKey(
      join(e, "sub", "weights-extra.safetensors"),
      createKey({ scheme: "vocab", architecture: "llama", reproducible: false }),
    );
    expect(() => checkServableFolder(e)).toThrow(/key file \(sub\/weights-extra\.safetensors\)/);
  });
});

/**
 * Inputs that do not belong together: a client tokenizer of another model, a model file in an
 * encrypted folder that ee.json does not describe (another key's graph, the plain graph, an edited
 * config, stray weights), an edited or broken ee.json. Each is refused naming both sides.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { buildFixtures, ee, expectRefusal, scratch, TEXT, unchanged } from "./harness.js";

const { dir, cleanup } = scratch("mismatch");
beforeAll(() => buildFixtures(dir, ["bert", "roberta", "llama"]));
afterAll(cleanup);

/** A copy of the encrypted folder E as `name`, changed by `edit`. */
function variant(name: string, edit: (d: string) => void): string {
  cpSync(join(dir, "E"), join(dir, name), { recursive: true });
  edit(join(dir, name));
  return name;
}

describe("mismatched inputs", () => {
  it("client tokenizer of another model (roberta for an encrypted bert) → refused naming both", async () => {
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["infer", "E", "--key", "K", "--tokenizer", "R", "--text", TEXT]),
        "R/tokenizer.json",
        "E/ee.json",
      ),
    );
  });

  it("the tokenizer the folder was encrypted from is accepted (control)", async () => {
    const o = await ee(dir, ["infer", "E", "--key", "K", "--tokenizer", "P", "--text", TEXT]);
    if (o.code !== 0) throw new Error(o.stderr);
  });

  it("a bert tokenizer for an encrypted llama → refused", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["infer", "LE", "--key", "LK", "--tokenizer", "P", "--text", TEXT]), "P/"),
    );
  });

  const swaps: [string, (d: string) => void, string][] = [
    [
      "graph of another encrypted folder",
      (d) => cpSync(join(dir, "E2", "onnx", "model.onnx"), join(d, "onnx", "model.onnx")),
      "onnx/model.onnx",
    ],
    [
      "the plain graph",
      (d) => cpSync(join(dir, "P", "onnx", "model.onnx"), join(d, "onnx", "model.onnx")),
      "onnx/model.onnx",
    ],
    [
      "an edited config.json",
      (d) => {
        const c = JSON.parse(readFileSync(join(d, "config.json"), "utf8"));
        c.layer_norm_eps = 0.1;
        writeFileSync(join(d, "config.json"), JSON.stringify(c));
      },
      "config.json",
    ],
    [
      "plain weights dropped in",
      (d) => cpSync(join(dir, "P", "model.safetensors"), join(d, "model.safetensors")),
      "model.safetensors",
    ],
  ];
  for (const [what, edit, file] of swaps) {
    it(`encrypted folder holding ${what} → refused naming the file`, async () => {
      const name = variant(`E-${what.replace(/\W+/g, "_")}`, edit);
      await unchanged(dir, async () =>
        expectRefusal(
          await ee(dir, ["infer", name, "--key", "K", "--text", TEXT]),
          `${name}/${file}`,
          "ee.json",
        ),
      );
    });
  }

  it("ee.json deleted, truncated, or listing a path outside the folder → refused naming ee.json", async () => {
    const gone = variant("E-noee", (d) => rmSync(join(d, "ee.json")));
    const cut = variant("E-cut", (d) => writeFileSync(join(d, "ee.json"), '{"format":'));
    const out = variant("E-out", (d) => {
      const m = JSON.parse(readFileSync(join(d, "ee.json"), "utf8"));
      m.files["../K"] = m.files["config.json"];
      writeFileSync(join(d, "ee.json"), JSON.stringify(m));
    });
    await unchanged(dir, async () => {
      expectRefusal(await ee(dir, ["infer", gone, "--key", "K", "--text", TEXT]), gone, "ee.json");
      expectRefusal(await ee(dir, ["infer", cut, "--key", "K", "--text", TEXT]), `${cut}/ee.json`);
      expectRefusal(await ee(dir, ["infer", out, "--key", "K", "--text", TEXT]), `${out}/ee.json`, "../K");
    });
  });

  it("a plain folder given a key → refused", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["infer", "P", "--key", "K", "--text", TEXT]), "P"),
    );
  });
});

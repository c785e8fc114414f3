/**
 * Faults that used to destroy files: encrypting onto an existing key, building into an encrypted,
 * plain or unrelated folder, outputs that are files or folders of the wrong kind. Each is refused
 * without --overwrite and the scratch tree is byte-identical afterwards; --overwrite replaces a model
 * folder whole (no stale ee.json) and never a folder of another kind.
 */
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, ee, expectRefusal, scratch, TEXT, treeHash, unchanged } from "./harness.js";

const { dir, cleanup } = scratch("overwrite");
beforeAll(async () => {
  await buildFixtures(dir, ["bert"]);
  mkdirSync(join(dir, "U"));
  writeFileSync(join(dir, "U", "notes.txt"), "mine");
  writeFileSync(join(dir, "F"), "a file");
});
afterAll(cleanup);

describe("overwrite faults", () => {
  it("encrypt with an existing --key path → refused; the old key still opens its folder", async () => {
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["encrypt", "P", "--out", "E9", "--key", "K"]),
        "key file",
        "K",
        "--overwrite",
      ),
    );
    expect(existsSync(join(dir, "E9"))).toBe(false);
    expect((await ee(dir, ["infer", "E", "--key", "K", "--text", TEXT])).code).toBe(0);
  });

  it("build into an encrypted folder → refused; with --overwrite the folder is replaced whole (no stale ee.json)", async () => {
    cpSync(join(dir, "E"), join(dir, "E10"), { recursive: true });
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["build", "bert-tiny", "--out", "E10"]), "E10", "--overwrite"),
    );
    const o = await ee(dir, ["build", "bert-tiny", "--out", "E10", "--overwrite", "--seed", "3"]);
    expect(o.code).toBe(0);
    expect(existsSync(join(dir, "E10", "ee.json"))).toBe(false);
    expect((await ee(dir, ["infer", "E10", "--text", TEXT])).code).toBe(0);
  });

  it("build into an existing plain folder → refused", async () => {
    await unchanged(dir, async () => expectRefusal(await ee(dir, ["build", "bert-tiny", "--out", "P"]), "P"));
  });

  it("build (even with --overwrite) into a folder of unrelated files → refused", async () => {
    await unchanged(dir, async () => expectRefusal(await ee(dir, ["build", "bert-tiny", "--out", "U"]), "U"));
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["build", "bert-tiny", "--out", "U", "--overwrite"]),
        "U",
        "not a model folder",
      ),
    );
  });

  it("encrypt (even with --overwrite) onto a plain model folder → refused", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["encrypt", "P", "--out", "U", "--key", "K13"]), "U", "--overwrite"),
    );
    cpSync(join(dir, "P"), join(dir, "P13"), { recursive: true });
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["encrypt", "P", "--out", "P13", "--key", "K13", "--overwrite"]),
        "P13",
        "not an encrypted model folder",
      ),
    );
  });

  it("encrypt --overwrite onto an encrypted folder and its key replaces both, consistently", async () => {
    cpSync(join(dir, "E"), join(dir, "E14"), { recursive: true });
    cpSync(join(dir, "K"), join(dir, "K14"));
    const before = treeHash(join(dir, "E14"));
    const o = await ee(dir, ["encrypt", "P", "--out", "E14", "--key", "K14", "--overwrite"]);
    expect(o.code).toBe(0);
    expect(treeHash(join(dir, "E14"))).not.toEqual(before);
    expect((await ee(dir, ["infer", "E14", "--key", "K14", "--text", TEXT])).code).toBe(0);
  });

  it("build --out a file, encrypt --key a folder, encrypt --key in a missing folder → refused", async () => {
    await unchanged(dir, async () => {
      expectRefusal(await ee(dir, ["build", "bert-tiny", "--out", "F"]), "F", "is a file");
      expectRefusal(await ee(dir, ["encrypt", "P", "--out", "E16", "--key", "U"]), "U", "is a folder");
      expectRefusal(
        await ee(dir, ["encrypt", "P", "--out", "E17", "--key", "nodir/k"]),
        "nodir",
        "does not exist",
      );
    });
  });
});

/** Safe writes: refuse existing targets, replace atomically with overwrite, never leave a half-written target. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeStaleTemps, writeFileSafe, writeFolderSafe } from "../src/safe-write.js";

const dir = mkdtempSync(join(tmpdir(), "ee-core-safe-"));

describe("writeFileSafe", () => {
  it("writes a new file, refuses an existing one, replaces it with overwrite", () => {
    const p = join(dir, "a.txt");
    writeFileSafe(p, "one");
    expect(() => writeFileSafe(p, "two", { what: "notes" })).toThrow(
      `notes ${p} already exists; not replaced (pass --overwrite to replace it)`,
    );
    expect(readFileSync(p, "utf8")).toBe("one");
    writeFileSafe(p, "two", { overwrite: true });
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses a folder target and a missing parent folder, naming them", () => {
    mkdirSync(join(dir, "d"));
    expect(() => writeFileSafe(join(dir, "d"), "x")).toThrow(`file ${join(dir, "d")} is a folder`);
    expect(() => writeFileSafe(join(dir, "nope", "f"), "x")).toThrow(
      `folder ${join(dir, "nope")} does not exist`,
    );
  });
});

describe("writeFolderSafe", () => {
  it("publishes the folder only when fill completes; a failing fill leaves the old one untouched", async () => {
    const out = join(dir, "model");
    await writeFolderSafe(out, (tmp) => writeFileSync(join(tmp, "w"), "v1"));
    expect(readFileSync(join(out, "w"), "utf8")).toBe("v1");
    await expect(writeFolderSafe(out, () => {})).rejects.toThrow(`folder ${out} already exists`);
    await expect(
      writeFolderSafe(
        out,
        (tmp) => {
          writeFileSync(join(tmp, "w"), "half");
          throw new Error("disk full");
        },
        { overwrite: true },
      ),
    ).rejects.toThrow("disk full");
    expect(readFileSync(join(out, "w"), "utf8")).toBe("v1");
    await writeFolderSafe(out, (tmp) => writeFileSync(join(tmp, "x"), "v2"), { overwrite: true });
    expect(readdirSync(out)).toEqual(["x"]);
    expect(readdirSync(dir).filter((f) => f.startsWith(".model."))).toEqual([]);
  });

  it("check() vetoes replacing a folder of another kind", async () => {
    const out = join(dir, "notes");
    mkdirSync(out);
    writeFileSync(join(out, "mine.txt"), "keep");
    await expect(
      writeFolderSafe(out, () => {}, {
        overwrite: true,
        what: "model folder",
        check: () => "not a model folder",
      }),
    ).rejects.toThrow(`model folder ${out}: not replaced: not a model folder`);
    expect(readFileSync(join(out, "mine.txt"), "utf8")).toBe("keep");
  });

  it("removes temporaries of dead processes and restores an orphaned old version", () => {
    const t = join(dir, "crash");
    mkdirSync(join(dir, ".crash.tmp-999999999-abcd"));
    mkdirSync(join(dir, ".crash.old-999999999-ef01"));
    writeFileSync(join(dir, ".crash.old-999999999-ef01", "w"), "old");
    removeStaleTemps(t);
    expect(existsSync(join(dir, ".crash.tmp-999999999-abcd"))).toBe(false);
    expect(readFileSync(join(t, "w"), "utf8")).toBe("old");
  });
});

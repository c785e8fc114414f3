/**
 * Faults in key files: an edited header (labels, flags, times, extra fields), a truncated or empty
 * file, a folder, another model's key. Each is refused with one line naming the key file; nothing in
 * the scratch tree changes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixtures, ee, expectRefusal, scratch, TEXT, unchanged } from "./harness.js";

const { dir, cleanup } = scratch("keys");
beforeAll(() => buildFixtures(dir, ["bert"]));
afterAll(cleanup);

/** Copy of key `src` at `dst` with its safetensors `__metadata__` changed by `edit` (tensors untouched). */
function editKeyHeader(src: string, dst: string, edit: (m: Record<string, string>) => void): void {
  const b = readFileSync(join(dir, src));
  const n = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + n).toString("utf8"));
  edit(header.__metadata__);
  const hb = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hb.length), 0);
  writeFileSync(join(dir, dst), Buffer.concat([len, hb, b.subarray(8 + n)]));
}

describe("key faults", () => {
  it("the untouched key works (control)", async () => {
    const o = await ee(dir, ["infer", "E", "--key", "K", "--text", TEXT]);
    expect(o.code).toBe(0);
    expect(o.stdout).toMatch(/^label: /);
  });

  const headerEdits: [string, (m: Record<string, string>) => void][] = [
    [
      "labels reversed in ee.meta",
      (m) => {
        const meta = JSON.parse(m["ee.meta"]);
        meta.id2label = JSON.stringify(JSON.parse(meta.id2label).reverse());
        m["ee.meta"] = JSON.stringify(meta);
      },
    ],
    [
      "reproducible flipped",
      (m) => (m["ee.reproducible"] = m["ee.reproducible"] === "true" ? "false" : "true"),
    ],
    ["createdAt edited", (m) => (m["ee.createdAt"] = "1999-01-01T00:00:00.000Z")],
    ["extra field added", (m) => (m["ee.note"] = "edited")],
    ["format version downgraded to 1", (m) => (m["ee.formatVersion"] = "1")],
  ];
  for (const [what, edit] of headerEdits) {
    it(`key header: ${what} → refused, never a changed result`, async () => {
      const name = `K-${what.replace(/\W+/g, "_")}`;
      editKeyHeader("K", name, edit);
      const msg = await unchanged(dir, async () =>
        expectRefusal(await ee(dir, ["infer", "E", "--key", name, "--text", TEXT]), name),
      );
      expect(msg).toMatch(/fingerprint|header digest|not part of an EE key|does not authenticate/);
    });
  }

  it("truncated key → refused naming the file", async () => {
    const b = readFileSync(join(dir, "K"));
    writeFileSync(join(dir, "K-trunc"), b.subarray(0, b.length >> 1));
    await unchanged(dir, async () =>
      expectRefusal(
        await ee(dir, ["infer", "E", "--key", "K-trunc", "--text", TEXT]),
        "K-trunc",
        "truncated",
      ),
    );
  });

  it("empty key file → refused", async () => {
    writeFileSync(join(dir, "K-empty"), "");
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["infer", "E", "--key", "K-empty", "--text", TEXT]), "K-empty"),
    );
  });

  it("key of another encrypted folder → refused naming both fingerprints", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["infer", "E", "--key", "K2", "--text", TEXT]), "K2", "is not the key"),
    );
  });

  it("a folder given as the key → refused", async () => {
    await unchanged(dir, async () =>
      expectRefusal(await ee(dir, ["infer", "E", "--key", "P", "--text", TEXT]), "P"),
    );
  });
});

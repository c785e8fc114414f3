import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTokenizer } from "../../src/tokenizers/load.js";
import { getTokenizerSource } from "../../src/tokenizers/registry.js";

const dir = mkdtempSync(join(tmpdir(), "ee-tok-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tokenizerFor(name: string) {
  const out = join(dir, name);
  const files = getTokenizerSource(name).files();
  (await import("node:fs")).mkdirSync(out, { recursive: true });
  for (const f of files.files) writeFileSync(join(out, f.name), f.data);
  return loadTokenizer(out);
}

describe("encoder tokenizers from the data directory", () => {
  it("bert-base-uncased: lower-cases, [CLS]=101 … [SEP]=102", async () => {
    const tok = await tokenizerFor("bert-base-uncased");
    const ids = tok.encode("Hello World");
    expect(ids[0]).toBe(101);
    expect(ids[ids.length - 1]).toBe(102);
    expect(ids).toEqual(tok.encode("hello world"));
    expect(ids.length).toBe(4); // hello, world are whole-word pieces
  });

  it("roberta-base: <s>=0 … </s>=2, ids below vocab_size 50265", async () => {
    const tok = await tokenizerFor("roberta-base");
    const ids = tok.encode("The movie was great, 42 <num> stars!");
    expect(ids[0]).toBe(0);
    expect(ids[ids.length - 1]).toBe(2);
    expect(Math.max(...ids)).toBeLessThan(50265);
  });

  it("a missing tokenizer file is named", async () => {
    await expect(loadTokenizer(join(dir, "none"))).rejects.toThrow(
      `tokenizer file ${join(dir, "none", "tokenizer.json")} not found`,
    );
    expect(() => getTokenizerSource("bert-base-uncased").files(join(dir, "empty"))).toThrow(
      /data file .*bert-base-uncased\.json not found/,
    );
  });
});

/** Scheme and encrypter registries, vocabulary permutations, special ids, and ee.json. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "ee-core";
import { describe, expect, it } from "vitest";
import {
  EE_MANIFEST_FORMAT,
  readManifest,
  SUITE_VERSION,
  writeManifest,
} from "../../src/encrypt/manifest.js";
import { getEncrypter } from "../../src/encrypt/registry.js";
import { DEFAULT_SCHEME, getScheme, schemeNames } from "../../src/encrypt/schemes.js";
import { encryptSpecialIds, vocabPermutation } from "../../src/encrypt/vocab.js";

describe("registries", () => {
  it("name the schemes and default to full", () => {
    expect(schemeNames()).toEqual([
      "vocab",
      "full",
      "full-kron",
      "control",
      "noise-2",
      "noise-10",
      "noise-30",
      "homophonic",
    ]);
    expect(DEFAULT_SCHEME).toBe("full");
    expect(getScheme("vocab").hidden).toBe(false);
    expect(getScheme("full").hidden).toBe(true);
    expect(() => getScheme("noise")).toThrow(
      /unknown encryption scheme 'noise'; known: vocab, full, full-kron, control, noise-2, noise-10, noise-30, homophonic/,
    );
  });

  it("have an encrypter per architecture", () => {
    for (const a of ["bert", "roberta", "llama"]) expect(getEncrypter(a).arch).toBe(a);
    expect(() => getEncrypter("gpt2")).toThrow(/no encrypter for architecture 'gpt2'/);
  });
});

describe("vocabPermutation", () => {
  it("is a permutation that keeps the fixed ids and moves most others", () => {
    const p = vocabPermutation(1000, createRandom({ seed: "v" }), [1]);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p[1]).toBe(1);
    expect([...p].filter((x, i) => x === i).length).toBeLessThan(10);
    expect(() => vocabPermutation(10, createRandom(), [10])).toThrow(/outside 0..9/);
  });

  it("special ids in a config move with π (lists too)", () => {
    const p = Int32Array.of(3, 0, 1, 2);
    expect(
      encryptSpecialIds({ bos_token_id: 1, eos_token_id: [2, 3], hidden_size: 2, pad_token_id: null }, p),
    ).toEqual({
      bos_token_id: 0,
      eos_token_id: [1, 2],
      hidden_size: 2,
      pad_token_id: null,
    });
    expect(() => encryptSpecialIds({ eos_token_id: 9 }, p)).toThrow(/eos_token_id = 9/);
  });
});

describe("ee.json", () => {
  it("round-trips and names the bad field", () => {
    const dir = mkdtempSync(join(tmpdir(), "ee-manifest-"));
    try {
      const m = {
        format: EE_MANIFEST_FORMAT,
        scheme: "full" as const,
        architecture: "bert",
        suiteVersion: SUITE_VERSION,
        keyFingerprint: "a".repeat(64),
        createdAt: new Date(0).toISOString(),
        reproducible: false,
        tokenizer: "bert-base-uncased",
      };
      writeManifest(dir, m);
      expect(readManifest(dir)).toEqual(m);
      writeFileSync(join(dir, "ee.json"), JSON.stringify({ ...m, keyFingerprint: "xyz" }));
      expect(() => readManifest(dir)).toThrow(/field "keyFingerprint" must be 64/);
      writeFileSync(join(dir, "ee.json"), JSON.stringify({ ...m, scheme: "rot13" }));
      expect(() => readManifest(dir)).toThrow(/unknown encryption scheme 'rot13'/);
      expect(() => readManifest(tmpdir())).toThrow(/not an encrypted model folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

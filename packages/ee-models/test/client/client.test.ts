/**
 * EEClient key checks: each way a key can fail to fit an encrypted folder is its own error, and the
 * right key opens it. Also the seeded-key warning and folder-level refusals of encryptModelFolder.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEClient, EEKeyError } from "../../src/client/client.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { tinyEncoder, tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("client-keys");
const p = (name: string) => join(tmp.dir, name);

/** The EEKeyError thrown by `f`, or a failed expectation. */
function keyError(f: () => unknown): EEKeyError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EEKeyError);
    return e as EEKeyError;
  }
  throw new Error("expected an EEKeyError, got none");
}

describe("EEClient.open", () => {
  beforeAll(async () => {
    const bert = tinyEncoder("bert", "client-bert");
    await writeModelFolder(p("bert-plain"), getArchitecture("bert"), bert.cfg, bert.weights, {
      build: { fused: false },
    });
    const llama = tinyLlama("client-llama");
    await writeModelFolder(p("llama-plain"), getArchitecture("llama"), llama.cfg, llama.weights, {
      build: { fused: false },
    });
    await encryptModelFolder(p("bert-plain"), p("bert-full"), {
      keyPath: p("bert-full.key"),
      scheme: "full",
    });
    await encryptModelFolder(p("bert-plain"), p("bert-full-2"), {
      keyPath: p("bert-full-2.key"),
      scheme: "full",
    });
    await encryptModelFolder(p("bert-plain"), p("bert-vocab"), {
      keyPath: p("bert-vocab.key"),
      scheme: "vocab",
    });
    await encryptModelFolder(p("llama-plain"), p("llama-full"), {
      keyPath: p("llama-full.key"),
      scheme: "full",
    });
    const bytes = readFileSync(p("bert-full.key"));
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 5] ^= 0xff; // flip bits in the last tensor's data
    writeFileSync(p("corrupt.key"), corrupt);
    writeFileSync(p("truncated.key"), bytes.subarray(0, bytes.length >> 1));
  });
  afterAll(() => tmp.cleanup());

  it("accepts the key the folder was encrypted with", () => {
    const c = EEClient.open(p("bert-full"), p("bert-full.key"));
    expect(c.manifest.scheme).toBe("full");
    expect(c.decryptIds(c.encryptIds([0, 5, 96]))).toEqual([0, 5, 96]);
    expect(c.plainLabels()).toEqual(["LABEL_0", "LABEL_1", "LABEL_2"]);
  });

  it("gives a distinct error for each misfit: corrupt, architecture, scheme, fingerprint", () => {
    const corrupt = keyError(() => EEClient.open(p("bert-full"), p("corrupt.key")));
    const truncated = keyError(() => EEClient.open(p("bert-full"), p("truncated.key")));
    const missing = keyError(() => EEClient.open(p("bert-full"), p("no-such.key")));
    const arch = keyError(() => EEClient.open(p("bert-full"), p("llama-full.key")));
    const scheme = keyError(() => EEClient.open(p("bert-full"), p("bert-vocab.key")));
    const fingerprint = keyError(() => EEClient.open(p("bert-full"), p("bert-full-2.key")));
    expect([corrupt, truncated, missing].map((e) => e.code)).toEqual(["corrupt", "corrupt", "corrupt"]);
    expect(corrupt.message).toMatch(/corrupt/);
    expect(arch.code).toBe("architecture");
    expect(arch.message).toMatch(/architecture 'llama'.*'bert' model/);
    expect(scheme.code).toBe("scheme");
    expect(scheme.message).toMatch(/scheme 'vocab'.*scheme 'full'/);
    expect(fingerprint.code).toBe("fingerprint");
    expect(fingerprint.message).toMatch(/is not the key/);
    const messages = new Set(
      [corrupt, arch, scheme, fingerprint].map((e) => e.message.replace(/\/[^ ]*/g, "")),
    );
    expect(messages.size).toBe(4);
  });

  it("refuses a folder without ee.json", () => {
    expect(() => EEClient.open(p("bert-plain"), p("bert-full.key"))).toThrow(/no ee\.json/);
  });
});

describe("encryptModelFolder refusals and seeded keys", () => {
  const t = tempDir("encrypt-refusals");
  const q = (name: string) => join(t.dir, name);
  beforeAll(async () => {
    const bert = tinyEncoder("bert", "refuse-bert");
    await writeModelFolder(q("plain"), getArchitecture("bert"), bert.cfg, bert.weights, {
      build: { fused: false },
    });
  });
  afterAll(() => t.cleanup());

  it("warns that a seeded key is not secret, and reproduces it from the seed", async () => {
    const warnings: string[] = [];
    const a = await encryptModelFolder(q("plain"), q("s1"), {
      keyPath: q("s1.key"),
      seed: 7,
      warn: (m) => warnings.push(m),
    });
    const b = await encryptModelFolder(q("plain"), q("s2"), {
      keyPath: q("s2.key"),
      seed: 7,
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/NOT secret/);
    expect(a.manifest.reproducible).toBe(true);
    expect(a.manifest.keyFingerprint).toBe(b.manifest.keyFingerprint);
  });

  it("refuses a key inside the encrypted folder, an encrypted input, and a non-empty output", async () => {
    await expect(
      encryptModelFolder(q("plain"), q("e1"), { keyPath: join(q("e1"), "k.key") }),
    ).rejects.toThrow(/inside the encrypted folder/);
    await encryptModelFolder(q("plain"), q("e2"), { keyPath: q("e2.key") });
    await expect(encryptModelFolder(q("e2"), q("e3"), { keyPath: q("e3.key") })).rejects.toThrow(
      /already an encrypted/,
    );
    await expect(encryptModelFolder(q("plain"), q("e2"), { keyPath: q("e4.key") })).rejects.toThrow(
      /already exists; not replaced/,
    );
    await expect(encryptModelFolder(q("plain"), q("plain"), { keyPath: q("e5.key") })).rejects.toThrow(
      /is the plain folder/,
    );
  });
});

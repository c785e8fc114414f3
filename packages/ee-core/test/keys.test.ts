import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  addComponent,
  createKey,
  fingerprintKey,
  KEY_EXACT_CHECK_MAX_DIM,
  keyHeaderDigest,
  loadKey,
  saveKey,
  validateComponent,
} from "../src/keys.js";
import { blockDiagonal, haarOrthogonal, randomInvertible, rotation2x2, toFloat32 } from "../src/linalg.js";
import { randomPermutation } from "../src/permutation.js";
import { createRandom } from "../src/random.js";
import { readSafetensors, writeSafetensors } from "../src/safetensors.js";
import type { EEKey, KeyComponentKind, RandomSource, StateDict, Tensor } from "../src/types.js";

const dir = mkdtempSync(join(tmpdir(), "ee-core-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V = 50;
const D = 16;
const G = 3;
const DH = 4;

function makeKey(rng: RandomSource, createdAt?: string): EEKey {
  const key = createKey({
    scheme: "full",
    architecture: "llama",
    reproducible: rng.reproducible,
    meta: { preset: "tiny" },
    createdAt,
  });
  addComponent(key, "vocab.perm", "permutation", {
    dtype: "I32",
    shape: [V],
    data: randomPermutation(V, rng.derive("vocab")),
  });
  const heads = new Int32Array(G * DH);
  for (let g = 0; g < G; g++) heads.set(randomPermutation(DH, rng.derive(`heads.${g}`)), g * DH);
  addComponent(key, "layers.0.heads.perm", "permutation", { dtype: "I32", shape: [G, DH], data: heads });
  addComponent(key, "hidden.Q", "orthogonal", {
    dtype: "F32",
    shape: [D, D],
    data: toFloat32(haarOrthogonal(D, rng.derive("Q"))),
  });
  addComponent(key, "hidden.Q64", "orthogonal", {
    dtype: "F64",
    shape: [D, D],
    data: haarOrthogonal(D, rng.derive("Q64")),
  });
  const vo = new Float32Array(G * DH * DH);
  for (let g = 0; g < G; g++) vo.set(randomInvertible(DH, rng.derive(`vo.${g}`)).matrix, g * DH * DH);
  addComponent(key, "layers.0.vo", "invertible", { dtype: "F32", shape: [G, DH, DH], data: vo });
  const sc = Float32Array.from({ length: 8 }, () => 0.5 + rng.float());
  addComponent(key, "layers.0.ffn.scales", "scales", { dtype: "F32", shape: [8], data: sc });
  const sg = Float32Array.from({ length: 6 }, () => (rng.int(2) === 0 ? -1 : 1));
  addComponent(key, "pooler.signs", "signs", { dtype: "F32", shape: [6], data: sg });
  return key;
}

/** Write a key file like saveKey but WITHOUT validation, for corruption tests. */
function writeRawKey(path: string, key: EEKey, metaOverride: Record<string, string | undefined> = {}): void {
  const tensors: StateDict = new Map();
  const kinds: Record<string, KeyComponentKind> = {};
  for (const [name, c] of key.components) {
    tensors.set(name, c.tensor);
    kinds[name] = c.kind;
    if (c.inverse !== undefined) tensors.set(`${name}.inverse`, c.inverse);
  }
  const metadata: Record<string, string | undefined> = {
    "ee.format": "ee-key",
    "ee.formatVersion": "2",
    "ee.scheme": key.scheme,
    "ee.architecture": key.architecture,
    "ee.reproducible": String(key.reproducible),
    "ee.createdAt": key.createdAt,
    "ee.meta": JSON.stringify(key.meta),
    "ee.kinds": JSON.stringify(kinds),
    "ee.fingerprint": fingerprintKey(key),
    "ee.headerDigest": keyHeaderDigest(fingerprintKey(key), key.createdAt),
    ...metaOverride,
  };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) if (v !== undefined) clean[k] = v;
  writeSafetensors(path, tensors, clean, { mode: 0o600 });
}

/** A copy of the key whose component `name` has its tensor data changed by `edit`. */
function tampered(
  key: EEKey,
  name: string,
  edit: (t: Tensor) => void,
  which: "tensor" | "inverse" = "tensor",
): EEKey {
  const copy: EEKey = { ...key, components: new Map() };
  for (const [n, c] of key.components) {
    const clone = (t: Tensor): Tensor => ({ dtype: t.dtype, shape: t.shape.slice(), data: t.data.slice() });
    const cc = { kind: c.kind, tensor: clone(c.tensor), inverse: c.inverse ? clone(c.inverse) : undefined };
    if (cc.inverse === undefined) delete cc.inverse;
    if (n === name) edit(which === "tensor" ? cc.tensor : (cc.inverse as Tensor));
    copy.components.set(n, cc);
  }
  return copy;
}

describe("keys", () => {
  it("seeded keys have identical fingerprints whenever made; meta and unseeded keys differ", () => {
    const a = makeKey(createRandom({ seed: "k" }), "2020-01-01T00:00:00.000Z");
    const b = makeKey(createRandom({ seed: "k" }), "2021-06-01T00:00:00.000Z");
    expect(a.reproducible).toBe(true);
    expect(fingerprintKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintKey(a)).toBe(fingerprintKey(b));
    b.meta.other = "x";
    expect(fingerprintKey(a)).not.toBe(fingerprintKey(b));
    expect(fingerprintKey(makeKey(createRandom({ seed: "k2" })))).not.toBe(fingerprintKey(a));
    const u1 = makeKey(createRandom());
    const u2 = makeKey(createRandom());
    expect(u1.reproducible).toBe(false);
    expect(fingerprintKey(u1)).not.toBe(fingerprintKey(u2));
  });

  it("fingerprint covers scheme, architecture and every component value", () => {
    const k = makeKey(createRandom({ seed: "fp" }));
    const fp = fingerprintKey(k);
    expect(fingerprintKey({ ...k, scheme: "vocab" })).not.toBe(fp);
    expect(fingerprintKey({ ...k, architecture: "bert" })).not.toBe(fp);
    expect(
      fingerprintKey(tampered(k, "layers.0.ffn.scales", (t) => ((t.data as Float32Array)[0] *= 1.0001))),
    ).not.toBe(fp);
  });

  it("save → load round trip keeps the fingerprint, components and metadata; file mode 0600", () => {
    const key = makeKey(createRandom({ seed: "rt" }));
    const p = join(dir, "rt.key.safetensors");
    writeFileSync(p, "previous", { mode: 0o644 });
    chmodSync(p, 0o644);
    saveKey(p, key, { overwrite: true });
    expect(statSync(p).mode & 0o777).toBe(0o600);
    const back = loadKey(p, { scheme: "full", architecture: "llama", fingerprint: fingerprintKey(key) });
    expect(fingerprintKey(back)).toBe(fingerprintKey(key));
    expect(back.createdAt).toBe(key.createdAt);
    expect(back.meta).toEqual({ preset: "tiny" });
    expect(back.reproducible).toBe(true);
    expect([...back.components.keys()].sort()).toEqual([...key.components.keys()].sort());
    expect(back.components.get("layers.0.vo")?.inverse?.shape).toEqual([G, DH, DH]);
  });

  it("addComponent computes the inverse of invertible blocks and rejects bad components", () => {
    const key = createKey({ scheme: "full", architecture: "bert", reproducible: false });
    const { matrix, inverse } = randomInvertible(5, createRandom({ seed: 9 }));
    const c = addComponent(key, "a", "invertible", { dtype: "F64", shape: [5, 5], data: matrix });
    const inv = c.inverse?.data as Float64Array;
    for (let i = 0; i < 25; i++) expect(inv[i]).toBeCloseTo(inverse[i], 12);
    expect(() =>
      addComponent(key, "a", "signs", { dtype: "F32", shape: [1], data: Float32Array.of(1) }),
    ).toThrow('addComponent: component "a" already exists');
    expect(() =>
      addComponent(key, "a.inverse", "signs", { dtype: "F32", shape: [1], data: Float32Array.of(1) }),
    ).toThrow(/taken by the inverse of an invertible component/);
    expect(() =>
      addComponent(key, "p", "permutation", { dtype: "I32", shape: [3], data: Int32Array.of(0, 0, 1) }),
    ).toThrow('addComponent: component "p" is not a permutation (value repeated at positions 0 and 1)');
    expect(() =>
      addComponent(key, "s", "invertible", {
        dtype: "F32",
        shape: [2, 2],
        data: Float32Array.of(1, 2, 2, 4),
      }),
    ).toThrow('addComponent: component "s" block 0 is singular');
    expect(() =>
      addComponent(key, "q", "orthogonal", { dtype: "F32", shape: [2, 3], data: new Float32Array(6) }),
    ).toThrow('addComponent: component "q" (orthogonal) must have shape [d, d] or [g, d, d], got [2, 3]');
    expect(() =>
      addComponent(key, "p2", "permutation", { dtype: "F32", shape: [2], data: Float32Array.of(0, 1) }),
    ).toThrow('addComponent: component "p2" (permutation) must be I32, got F32');
  });

  describe("each corruption gives its own error", () => {
    const base = makeKey(createRandom({ seed: "corrupt" }));
    const fp = fingerprintKey(base);
    const cases: [string, (p: string) => void, string | RegExp, object?][] = [
      [
        "a non-permutation row",
        (p) =>
          writeRawKey(
            p,
            tampered(
              base,
              "layers.0.heads.perm",
              (t) => ((t.data as Int32Array)[2 * DH + 1] = (t.data as Int32Array)[2 * DH + 3]),
            ),
          ),
        'component "layers.0.heads.perm" row 2 is not a permutation (value repeated at positions 1 and 3)',
      ],
      [
        "a permutation value out of range",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "vocab.perm", (t) => ((t.data as Int32Array)[7] = V + 5)),
          ),
        'component "vocab.perm" is not a permutation (value at position 7 is outside 0..49)',
      ],
      [
        "a non-orthogonal block",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "hidden.Q", (t) => ((t.data as Float32Array)[5] += 0.01)),
          ),
        /component "hidden.Q" is not orthogonal \(max \|QᵀQ − I\| = [0-9.e+-]+ > tolerance 0.0001\)/,
      ],
      [
        "a non-orthogonal float64 block (tighter tolerance)",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "hidden.Q64", (t) => ((t.data as Float64Array)[5] += 1e-8)),
          ),
        /component "hidden.Q64" is not orthogonal \(max \|QᵀQ − I\| = [0-9.e+-]+ > tolerance 1e-10\)/,
      ],
      [
        "a wrong inverse",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "layers.0.vo", (t) => ((t.data as Float32Array)[DH * DH + 2] += 0.05), "inverse"),
          ),
        /component "layers.0.vo" block 1: "layers.0.vo.inverse" is not its inverse \(max \|A·A⁻¹ − I\| = [0-9.e+-]+ > tolerance 0.0001\)/,
      ],
      [
        "a zero scale",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "layers.0.ffn.scales", (t) => ((t.data as Float32Array)[3] = 0)),
          ),
        'component "layers.0.ffn.scales" position 3 is zero or not finite',
      ],
      [
        "a sign that is not ±1",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "pooler.signs", (t) => ((t.data as Float32Array)[4] = 0.5)),
          ),
        'component "pooler.signs" position 4 is not ±1',
      ],
      [
        "values altered but still valid (stored fingerprint)",
        (p) =>
          writeRawKey(
            p,
            tampered(base, "vocab.perm", (t) => {
              const d = t.data as Int32Array;
              [d[0], d[1]] = [d[1], d[0]];
            }),
            { "ee.fingerprint": fp },
          ),
        "contents or metadata do not match the stored fingerprint (file altered or corrupted)",
      ],
      ["wrong scheme", (p) => saveKey(p, base), 'scheme is "full", expected "vocab"', { scheme: "vocab" }],
      [
        "wrong architecture",
        (p) => saveKey(p, base),
        'architecture is "llama", expected "bert"',
        { architecture: "bert" },
      ],
      [
        "wrong fingerprint",
        (p) => saveKey(p, base),
        `fingerprint ${fp} does not match the expected ${"0".repeat(64)}`,
        { fingerprint: "0".repeat(64) },
      ],
      [
        "unsupported format version",
        (p) => writeRawKey(p, base, { "ee.formatVersion": "3" }),
        'key format version "3" is not supported (this build reads 2)',
      ],
      [
        "format 1 (metadata not authenticated)",
        (p) => writeRawKey(p, base, { "ee.formatVersion": "1" }),
        "key format 1 does not authenticate its metadata",
      ],
      [
        "an added metadata field",
        (p) => writeRawKey(p, base, { "ee.note": "edited" }),
        'metadata "ee.note" is not part of an EE key (header edited?)',
      ],
      [
        "missing metadata",
        (p) => writeRawKey(p, base, { "ee.scheme": undefined }),
        'metadata "ee.scheme" is missing (not an EE key file?)',
      ],
      [
        "not a key file at all",
        (p) => writeSafetensors(p, new Map([["w", { dtype: "F32", shape: [1], data: Float32Array.of(1) }]])),
        'metadata "ee.format" is missing (not an EE key file?)',
      ],
      [
        "bad kinds JSON",
        (p) => writeRawKey(p, base, { "ee.kinds": "{oops" }),
        'metadata "ee.kinds" is not valid JSON',
      ],
      [
        "a tensor not listed as a component",
        (p) => {
          writeRawKey(p, base);
          const { tensors, metadata } = readSafetensors(p);
          tensors.set("stray", { dtype: "F32", shape: [1], data: Float32Array.of(1) });
          writeSafetensors(p, tensors, metadata, { mode: 0o600 });
        },
        'tensor "stray" is not a component listed in "ee.kinds"',
      ],
      [
        "truncated key file",
        (p) => {
          saveKey(p, base);
          const b = readFileSync(p);
          writeFileSync(p, b.subarray(0, b.length - 3));
        },
        /^safetensors .*: truncated data/,
      ],
      [
        "bad header length",
        (p) => {
          saveKey(p, base);
          const b = Buffer.from(readFileSync(p));
          b.writeBigUInt64LE(BigInt(b.length), 0);
          writeFileSync(p, b);
        },
        /header length \d+ runs past the end of the \d+-byte file/,
      ],
    ];
    const seen = new Set<string>();
    for (const [what, write, msg, expect_] of cases) {
      it(what, () => {
        const p = join(dir, `${what.replace(/\W+/g, "_")}.key.safetensors`);
        write(p);
        let message = "";
        try {
          loadKey(p, expect_);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).not.toBe("");
        if (typeof msg === "string") expect(message).toContain(msg);
        else expect(message).toMatch(msg);
        if (!message.startsWith("safetensors")) expect(message.startsWith(`key ${p}: `)).toBe(true);
        expect(seen.has(message.replace(p, ""))).toBe(false);
        seen.add(message.replace(p, ""));
      });
    }
  });

  describe("the fingerprint authenticates every metadata field", () => {
    const base = makeKey(createRandom({ seed: "meta" }));
    base.meta.id2label = '["a","b"]';
    const edits: [string, Record<string, string>][] = [
      [
        "an edited label list in meta",
        { "ee.meta": JSON.stringify({ ...base.meta, id2label: '["b","a"]' }) },
      ],
      ["a flipped reproducible flag", { "ee.reproducible": String(!base.reproducible) }],
      ["an edited creation time", { "ee.createdAt": "1999-01-01T00:00:00.000Z" }],
      ["an edited scheme", { "ee.scheme": "vocab" }],
    ];
    for (const [what, edit] of edits) {
      it(what, () => {
        const p = join(dir, `meta-${what.replace(/\W+/g, "_")}.key.safetensors`);
        writeRawKey(p, base, edit);
        expect(() => loadKey(p)).toThrow(
          new RegExp(
            `^key ${p}: (contents or metadata do not match the stored fingerprint|metadata do not match the stored header digest) \\(file altered or corrupted\\)$`,
          ),
        );
      });
    }
    it("the unedited file loads", () => {
      const p = join(dir, "meta-clean.key.safetensors");
      writeRawKey(p, base);
      expect(loadKey(p).meta.id2label).toBe('["a","b"]');
    });
  });

  it("saveKey refuses to replace an existing key unless overwrite", () => {
    const k1 = makeKey(createRandom({ seed: "ow1" }));
    const k2 = makeKey(createRandom({ seed: "ow2" }));
    const p = join(dir, "ow.key.safetensors");
    saveKey(p, k1);
    const before = readFileSync(p);
    expect(() => saveKey(p, k2)).toThrow(
      `key file ${p} already exists; not replaced (pass --overwrite to replace it)`,
    );
    expect(readFileSync(p).equals(before)).toBe(true);
    saveKey(p, k2, { overwrite: true });
    expect(fingerprintKey(loadKey(p))).toBe(fingerprintKey(k2));
  });

  it("blocks above KEY_EXACT_CHECK_MAX_DIM are checked with random probes", () => {
    // a cheap large orthogonal matrix: block-diagonal 2 × 2 rotations; d = 1100 > 1024
    const d = 1100;
    expect(d).toBeGreaterThan(KEY_EXACT_CHECK_MAX_DIM);
    const r = createRandom({ seed: "probe" });
    const rots = Array.from({ length: d / 2 }, () => rotation2x2(2 * Math.PI * r.float()));
    const q = toFloat32(blockDiagonal(rots));
    validateComponent("big.Q", { kind: "orthogonal", tensor: { dtype: "F32", shape: [d, d], data: q } });
    // Q scaled by 1.01: QᵀQ − I = 0.0201·I, so |(QᵀQ − I)x|∞ = 0.0201·max|x_i| ≥ 0.0201/√d ≈ 6e-4 > 1e-4
    // for every unit probe x (detection is certain, not probabilistic)
    const bad = q.map((v) => v * 1.01);
    expect(() =>
      validateComponent("big.Q", { kind: "orthogonal", tensor: { dtype: "F32", shape: [d, d], data: bad } }),
    ).toThrow(/component "big.Q" is not orthogonal/);
    // invertible: block-diagonal of 2 × 2 invertibles and of their inverses
    const pairs = Array.from({ length: d / 2 }, () => randomInvertible(2, r));
    const a = toFloat32(blockDiagonal(pairs.map((p) => p.matrix)));
    const ai = toFloat32(blockDiagonal(pairs.map((p) => p.inverse)));
    const comp = {
      kind: "invertible" as const,
      tensor: { dtype: "F32" as const, shape: [d, d], data: a },
      inverse: { dtype: "F32" as const, shape: [d, d], data: ai },
    };
    validateComponent("big.A", comp);
    // inverse scaled by 1.01: A·A⁻¹ − I = 0.01·I, |·x|∞ ≥ 0.01/√d ≈ 3e-4 > 1e-4 for every unit probe
    for (let i = 0; i < ai.length; i++) ai[i] *= 1.01;
    expect(() => validateComponent("big.A", comp)).toThrow(
      /component "big.A": "big.A.inverse" is not its inverse/,
    );
  });

  it("errors never print key values", () => {
    const key = makeKey(createRandom({ seed: "secret" }));
    const perm = key.components.get("vocab.perm")?.tensor.data as Int32Array;
    const p = join(dir, "secret.key.safetensors");
    writeRawKey(
      p,
      tampered(key, "vocab.perm", (t) => ((t.data as Int32Array)[10] = (t.data as Int32Array)[20])),
    );
    const message = (() => {
      try {
        loadKey(p);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toBe(
      `key ${p}: component "vocab.perm" is not a permutation (value repeated at positions 10 and 20)`,
    );
    expect(message).not.toContain(`${perm[20]} `);
  });
});

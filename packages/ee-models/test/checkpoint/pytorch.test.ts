import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../../src/bert/architecture.js";
import { openPytorchCheckpoint } from "../../src/checkpoint/pytorch/reader.js";
import { loadCheckpoint } from "../../src/checkpoint.js";
import { tempDir, tinyEncoderJson } from "../fixtures.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "pytorch");
const tmp = tempDir("pytorch");
afterAll(() => tmp.cleanup());

/** make_fixtures.py's `ramp(n, scale)`. */
const ramp = (n: number, scale: number) =>
  Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * scale);

describe("PyTorch zip checkpoints (files written by torch.save)", () => {
  it("reads F32, a shared-storage row view, F16, BF16, F64 and I64 tensors exactly", () => {
    const src = openPytorchCheckpoint(join(FIXTURES, "tensors.bin"));
    try {
      expect(src.names()).toEqual(["f32", "f32_row2", "f16", "bf16", "f64", "i64"]);
      const f32 = src.read("f32");
      expect(f32.dtype).toBe("F32");
      expect(f32.shape).toEqual([4, 6]);
      expect(Array.from(f32.data as Float32Array)).toEqual(ramp(24, 0.25));
      const row = src.read("f32_row2");
      expect(row.shape).toEqual([6]);
      expect(Array.from(row.data as Float32Array)).toEqual(ramp(24, 0.25).slice(12, 18));
      expect(src.info("f16")).toEqual({ dtype: "F16", shape: [2, 5] });
      expect(Array.from(src.read("f16").data as Float32Array)).toEqual(ramp(10, 0.5));
      const bf = src.read("bf16");
      expect(bf.dtype).toBe("BF16");
      expect(Array.from(bf.data as Float32Array)).toEqual(ramp(8, 2));
      expect(Array.from(src.read("f64").data as Float64Array)).toEqual(ramp(3, 1.5));
      expect(Array.from(src.read("i64").data as BigInt64Array)).toEqual([0n, 1n, 2n, 3n, 4n]);
    } finally {
      src.close();
    }
  });

  it("refuses a pickle that calls os.system, naming the global, without running it", () => {
    expect(() => openPytorchCheckpoint(join(FIXTURES, "malicious.bin"))).toThrow(
      /pickle refers to global 'posix\.system', which a state dict does not need; refusing to load it \(nothing was executed\)/,
    );
  });

  it("refuses a non-contiguous view naming the tensor", () => {
    expect(() => openPytorchCheckpoint(join(FIXTURES, "noncontiguous.bin"))).toThrow(
      /tensor transposed: non-contiguous view \(size \[3, 2\], stride \[1, 3\]\) is not supported/,
    );
  });

  it("refuses a truncated archive with a clear error", () => {
    const bytes = readFileSync(join(FIXTURES, "tensors.bin"));
    const cut = join(tmp.dir, "cut.bin");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    expect(() => openPytorchCheckpoint(cut)).toThrow(`${cut}: not a readable PyTorch zip checkpoint`);
    const tiny = join(tmp.dir, "tiny.bin");
    writeFileSync(tiny, bytes.subarray(0, 10));
    expect(() => openPytorchCheckpoint(tiny)).toThrow(/too short for a zip archive/);
  });

  it("refuses a pickle with an opcode a state dict never uses", () => {
    // a hand-made archive is not needed: the unpickler is reached through a zip member, so patch
    // data.pkl's first GLOBAL into an INST-like opcode by rewriting one byte of a copy
    const bytes = Buffer.from(readFileSync(join(FIXTURES, "tensors.bin")));
    const at = bytes.indexOf(Buffer.from("ccollections\nOrderedDict"));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0x69; // 'i' (INST): builds an object by calling a class
    const path = join(tmp.dir, "inst.bin");
    writeFileSync(path, bytes);
    expect(() => openPytorchCheckpoint(path)).toThrow(
      /pickle opcode 0x69 \('i'\) is not allowed in a state dict/,
    );
  });

  it("loads pytorch_model.bin as BertForSequenceClassification does: gamma/beta renamed, cls.* and position_ids skipped with one warning", () => {
    const dir = join(tmp.dir, "bert-tiny");
    mkdirSync(dir);
    copyFileSync(join(FIXTURES, "bert-tiny", "pytorch_model.bin"), join(dir, "pytorch_model.bin"));
    const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny");
    const warnings: string[] = [];
    const sd = loadCheckpoint(dir, bertArchitecture, cfg, { warn: (m) => warnings.push(m) });
    expect([...sd.keys()]).toEqual([...bertArchitecture.tensorShapes(cfg).keys()]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /3 tensors BertForSequenceClassification does not use skipped \(cls\.predictions\.bias, cls\.seq_relationship\.weight, bert\.embeddings\.position_ids\)/,
    );
    expect(warnings[0]).toMatch(/10 LayerNorm\.gamma\/beta renamed/);
    // tensor k of the file (k = 3: embeddings LayerNorm gamma), element i = ((7 i + k) mod 13 − 6) / 16
    const g = sd.get("bert.embeddings.LayerNorm.weight")!;
    expect(g.dtype).toBe("F32");
    expect(Array.from(g.data as Float32Array)).toEqual(
      Array.from({ length: 16 }, (_, i) => (((7 * i + 3) % 13) - 6) / 16),
    );
    const c = sd.get("classifier.bias")!; // k = 40 (5 embeddings + 2 × 16 layer tensors + 2 pooler + 1)
    expect(Array.from(c.data as Float32Array)).toEqual([0, 1, 2].map((i) => (((7 * i + 40) % 13) - 6) / 16));
  });
});

/**
 * GGUF export: the container read back by `@huggingface/gguf` (an independent reader), the tensor
 * layout llama.cpp expects (q/k row order, ne = [in, out]), q8_0/f16 encodings, llama3 RoPE factors,
 * and the header check that stands between a bad file and llama.cpp.
 */
import { closeSync, openSync, readFileSync, readSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { createRandom, halfBitsToNumber } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeQ8_0 } from "../../src/export/gguf/decode.js";
import { encodeF16, encodeQ8_0 } from "../../src/export/gguf/encode.js";
import { exportLlamaGguf } from "../../src/export/gguf/export.js";
import { llama3RopeFactors, permuteRopeRows } from "../../src/export/gguf/llama-layout.js";
import { checkGgufFile } from "../../src/export/gguf/reader.js";
import { writeModelFolder } from "../../src/folder.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { ropeInvFreq } from "../../src/llama/config.js";
import { llamaLayerNames } from "../../src/llama/weights.js";
import { tempDir, tinyConfig, tinyWeights } from "../llama/helpers.js";

const cfg = tinyConfig();
const weights = tinyWeights(cfg, 3);
let tmp: { dir: string; cleanup: () => void };
let plain: string;

beforeAll(async () => {
  tmp = tempDir("gguf");
  plain = join(tmp.dir, "plain");
  await writeModelFolder(plain, llamaArchitecture, cfg, weights, { build: { fused: false } });
});
afterAll(() => tmp.cleanup());

/** Bytes [start, start + n) of a file. */
function readBytes(path: string, start: number, n: number): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const b = new Uint8Array(n);
    readSync(fd, b, 0, n, start);
    return b;
  } finally {
    closeSync(fd);
  }
}

describe("GGUF export of a plain llama-tiny folder", () => {
  it("is read back by @huggingface/gguf with llama.cpp's names, dims, types and metadata", async () => {
    const out = join(tmp.dir, "tiny-q8_0.gguf");
    const r = exportLlamaGguf(plain, { type: "q8_0", out });
    expect(r.vocab).toBe("no_vocab");
    const { metadata, tensorInfos } = await gguf(out, { allowLocalFile: true });
    expect(metadata.version).toBe(3);
    expect(metadata["general.architecture"]).toBe("llama");
    expect(metadata["general.file_type"]).toBe(7);
    expect(metadata["llama.block_count"]).toBe(cfg.numLayers);
    expect(metadata["llama.embedding_length"]).toBe(cfg.hiddenSize);
    expect(metadata["llama.feed_forward_length"]).toBe(cfg.intermediateSize);
    expect(metadata["llama.attention.head_count"]).toBe(cfg.numHeads);
    expect(metadata["llama.attention.head_count_kv"]).toBe(cfg.numKvHeads);
    expect(metadata["llama.rope.dimension_count"]).toBe(cfg.headDim);
    expect(metadata["llama.vocab_size"]).toBe(cfg.vocabSize);
    expect(metadata["llama.rope.freq_base"]).toBeCloseTo(cfg.ropeTheta, 3);
    expect(metadata["llama.attention.layer_norm_rms_epsilon"]).toBeCloseTo(cfg.rmsNormEps, 10);
    expect(metadata["tokenizer.ggml.model"]).toBe("no_vocab");
    // 2 per model + 9 per layer + rope_freqs + untied output
    expect(tensorInfos.length).toBe(3 + 9 * cfg.numLayers + 1);
    const byName = new Map(tensorInfos.map((t) => [t.name, t]));
    const q = byName.get("blk.0.attn_q.weight");
    expect(q?.shape.map(Number)).toEqual([cfg.hiddenSize, cfg.numHeads * cfg.headDim]);
    expect(q?.dtype).toBe(8); // Q8_0
    expect(byName.get("blk.1.ffn_down.weight")?.shape.map(Number)).toEqual([
      cfg.intermediateSize,
      cfg.hiddenSize,
    ]);
    expect(byName.get("blk.0.attn_norm.weight")?.dtype).toBe(0); // 1-D tensors stay F32
    expect(byName.get("rope_freqs.weight")?.shape.map(Number)).toEqual([cfg.headDim / 2]);
    expect(byName.get("output.weight")?.shape.map(Number)).toEqual([cfg.hiddenSize, cfg.vocabSize]);
  });

  it("stores f32 weights as HF rows (ne = [in, out]) with q/k rows interleaved per head", () => {
    const out = join(tmp.dir, "tiny-f32.gguf");
    exportLlamaGguf(plain, { type: "f32", out });
    const h = checkGgufFile(out);
    const read = (name: string) => {
      const t = h.tensors.find((x) => x.name === name);
      if (!t) throw new Error(`no ${name}`);
      const b = readBytes(out, h.dataOffset + t.offset, t.bytes);
      return new Float32Array(b.buffer, b.byteOffset, t.bytes / 4);
    };
    const n = llamaLayerNames(1);
    expect(read("blk.1.ffn_up.weight")).toEqual(weights.get(n.up)?.data);
    const k = weights.get(n.k)?.data as Float32Array;
    const kg = read("blk.1.attn_k.weight");
    const d = cfg.hiddenSize;
    const half = cfg.headDim / 2;
    // head 1, pair i = 3: HF rows 16+3 and 16+3+8 become GGUF rows 16+6 and 16+7
    expect(kg.subarray((16 + 6) * d, (16 + 7) * d)).toEqual(k.subarray((16 + 3) * d, (16 + 4) * d));
    expect(kg.subarray((16 + 7) * d, (16 + 8) * d)).toEqual(
      k.subarray((16 + 3 + half) * d, (16 + 4 + half) * d),
    );
  });

  it("refuses to overwrite without the flag, and names a non-Llama folder", () => {
    const out = join(tmp.dir, "tiny-f16.gguf");
    exportLlamaGguf(plain, { type: "f16", out });
    expect(() => exportLlamaGguf(plain, { type: "f16", out })).toThrow(/exists \(pass --overwrite/);
    expect(() => exportLlamaGguf(plain, { type: "f16", out, overwrite: true })).not.toThrow();
    expect(() => exportLlamaGguf(plain, { type: "q4_0" as "f16", out })).toThrow(
      /--type must be one of f32, f16, q8_0/,
    );
  });
});

describe("q/k row permutation", () => {
  /** HF rotate-half RoPE of one head vector at angle(s) `theta[j]`. */
  function ropeRotateHalf(x: Float64Array, theta: Float64Array): Float64Array {
    const half = x.length / 2;
    const y = new Float64Array(x.length);
    for (let j = 0; j < half; j++) {
      const c = Math.cos(theta[j]);
      const s = Math.sin(theta[j]);
      y[j] = x[j] * c - x[j + half] * s;
      y[j + half] = x[j + half] * c + x[j] * s;
    }
    return y;
  }
  /** llama.cpp's "normal" RoPE on adjacent pairs. */
  function ropeInterleaved(x: Float64Array, theta: Float64Array): Float64Array {
    const y = new Float64Array(x.length);
    for (let j = 0; j < x.length / 2; j++) {
      const c = Math.cos(theta[j]);
      const s = Math.sin(theta[j]);
      y[2 * j] = x[2 * j] * c - x[2 * j + 1] * s;
      y[2 * j + 1] = x[2 * j] * s + x[2 * j + 1] * c;
    }
    return y;
  }

  it("commutes RoPE: permute(ropeHF(q)) = ropeLlamaCpp(permute(q)), so q·k scores are unchanged", () => {
    const rng = createRandom({ seed: 7 });
    const dh = 16;
    const heads = 3;
    const theta = Float64Array.from({ length: dh / 2 }, (_, j) => 5 * 10000 ** (-(2 * j) / dh));
    // a "weight" with one column is a stack of head vectors
    const w = Float32Array.from({ length: heads * dh }, () => rng.gaussian());
    const p = permuteRopeRows(w, heads, dh, 1);
    for (let h = 0; h < heads; h++) {
      const hf = Float64Array.from(w.subarray(h * dh, (h + 1) * dh));
      const gg = Float64Array.from(p.subarray(h * dh, (h + 1) * dh));
      const a = ropeRotateHalf(hf, theta);
      const b = ropeInterleaved(gg, theta);
      const aPerm = Float64Array.from(permuteRopeRows(Float32Array.from(a), 1, dh, 1));
      for (let i = 0; i < dh; i++) expect(Math.abs(aPerm[i] - b[i])).toBeLessThan(1e-6);
    }
  });
});

describe("encodings and RoPE factors", () => {
  it("q8_0: 34-byte blocks, f16 scale max|x|/127, error at most half a step", () => {
    const rng = createRandom({ seed: 11 });
    const x = Float32Array.from({ length: 96 }, () => rng.gaussian() * 3);
    x[5] = 0;
    const b = encodeQ8_0(x);
    expect(b.length).toBe(3 * 34);
    const v = new DataView(b.buffer);
    for (let blk = 0; blk < 3; blk++) {
      const d = halfBitsToNumber(v.getUint16(blk * 34, true));
      let amax = 0;
      for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[blk * 32 + i]));
      expect(Math.abs(d - amax / 127) / (amax / 127)).toBeLessThan(1e-3); // f16 rounding of the scale
      for (let i = 0; i < 32; i++) {
        const q = v.getInt8(blk * 34 + 2 + i);
        expect(Math.abs(q * d - x[blk * 32 + i])).toBeLessThanOrEqual(0.5 * d + amax * 1e-3);
      }
    }
    const back = decodeQ8_0(b);
    for (let i = 0; i < 96; i++) {
      const blk = Math.floor(i / 32);
      expect(back[i]).toBe(
        halfBitsToNumber(v.getUint16(blk * 34, true)) * v.getInt8(blk * 34 + 2 + (i % 32)),
      );
    }
    expect(back[5]).toBe(0);
    expect(() => encodeQ8_0(new Float32Array(33))).toThrow(/whole number of 32-value blocks/);
  });

  it("f16: nearest half", () => {
    const x = Float32Array.from([1, -2.5, 65504, 1e-8, 0.1]);
    const h = new Uint16Array(encodeF16(x).buffer);
    expect(Array.from(h, halfBitsToNumber)).toEqual([1, -2.5, 65504, 0, 0.0999755859375]);
  });

  it("llama3 rope_freqs: base frequency / factor = HF's scaled frequency", () => {
    const f = llama3RopeFactors(cfg) as Float32Array;
    const scaled = ropeInvFreq(cfg);
    const base = ropeInvFreq({ ...cfg, ropeScaling: null });
    expect(f.some((v) => v !== 1)).toBe(true); // the tiny preset's band covers real frequencies
    for (let j = 0; j < f.length; j++)
      expect(Math.abs(base[j] / f[j] - scaled[j]) / scaled[j]).toBeLessThan(1e-6);
    expect(llama3RopeFactors({ ...cfg, ropeScaling: null })).toBeNull();
  });
});

describe("checkGgufFile", () => {
  it("accepts an export and rejects bad magic, truncation, and a missing file with one-line errors", () => {
    const good = join(tmp.dir, "check.gguf");
    exportLlamaGguf(plain, { type: "f32", out: good });
    const h = checkGgufFile(good);
    expect(h.tensors.length).toBeGreaterThan(0);
    const bytes = readFileSync(good);
    const badMagic = join(tmp.dir, "bad-magic.gguf");
    const copy = Buffer.from(bytes);
    copy.write("GGML", 0);
    writeFileSync(badMagic, copy);
    expect(() => checkGgufFile(badMagic)).toThrow(/bad-magic.gguf: not a GGUF file \(bad magic/);
    const cut = join(tmp.dir, "cut.gguf");
    writeFileSync(cut, bytes);
    truncateSync(cut, bytes.length - 100);
    expect(() => checkGgufFile(cut)).toThrow(
      /cut.gguf: truncated GGUF: tensor .* ends at byte \d+ but the file has \d+ bytes/,
    );
    const head = join(tmp.dir, "head.gguf");
    writeFileSync(head, bytes.subarray(0, 200));
    expect(() => checkGgufFile(head)).toThrow(/head.gguf: truncated GGUF header/);
    expect(() => checkGgufFile(join(tmp.dir, "nope.gguf"))).toThrow(/nope.gguf: GGUF file not found/);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  encodeSafetensorsHeader,
  openSafetensors,
  openShardedSafetensors,
  readSafetensors,
  readShardedSafetensors,
  writeSafetensors,
} from "../src/safetensors.js";
import type { StateDict, Tensor } from "../src/types.js";

const dir = mkdtempSync(join(tmpdir(), "ee-core-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): StateDict {
  const m: StateDict = new Map();
  m.set("f32", { dtype: "F32", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) });
  m.set("f64", { dtype: "F64", shape: [3], data: Float64Array.from([Math.PI, -1e300, 5e-324]) });
  m.set("f16", { dtype: "F16", shape: [4], data: Float32Array.from([1, -0.5, 65504, 2 ** -24]) });
  m.set("bf16", { dtype: "BF16", shape: [2, 2], data: Float32Array.from([1, -2.5, 3.140625, 256]) });
  m.set("i64", { dtype: "I64", shape: [2], data: BigInt64Array.from([-(2n ** 62n), 12345678901234n]) });
  m.set("i32", { dtype: "I32", shape: [3], data: Int32Array.from([-1, 0, 2147483647]) });
  m.set("u32", { dtype: "U32", shape: [2], data: Uint32Array.from([0, 4294967295]) });
  m.set("scalar", { dtype: "F32", shape: [], data: Float32Array.from([42]) });
  m.set("empty", { dtype: "F32", shape: [0, 4], data: new Float32Array(0) });
  return m;
}

function expectSame(a: StateDict, b: StateDict): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [k, t] of a) {
    const u = b.get(k) as Tensor;
    expect(u.dtype).toBe(t.dtype);
    expect(u.shape).toEqual(t.shape);
    expect(u.data.constructor).toBe(t.data.constructor);
    expect(Array.from(u.data as ArrayLike<number | bigint>)).toEqual(
      Array.from(t.data as ArrayLike<number | bigint>),
    );
  }
}

/** A raw file from a header object and data bytes (for corruption tests). */
function rawFile(header: unknown, data: Uint8Array, headerLenOverride?: bigint): Buffer {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLenOverride ?? BigInt(json.length), 0);
  return Buffer.concat([prefix, json, data]);
}

const f32 = (shape: number[], begin: number, end: number) => ({
  dtype: "F32",
  shape,
  data_offsets: [begin, end],
});

describe("safetensors", () => {
  it("round-trips every dtype through a file and through a buffer, keeping metadata", () => {
    const p = join(dir, "all.safetensors");
    writeSafetensors(p, sample(), { format: "pt", note: "x" });
    const fromFile = readSafetensors(p);
    expectSame(sample(), fromFile.tensors);
    expect(fromFile.metadata).toEqual({ format: "pt", note: "x" });
    const fromBuf = readSafetensors(readFileSync(p), "mem");
    expectSame(sample(), fromBuf.tensors);
  });

  it("pads the header with spaces so that data starts 8-byte aligned", () => {
    const p = join(dir, "align.safetensors");
    writeSafetensors(p, sample());
    const buf = readFileSync(p);
    const n = Number(buf.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const text = buf.subarray(8, 8 + n).toString("utf8");
    const jsonEnd = text.lastIndexOf("}") + 1;
    expect(JSON.parse(text.slice(0, jsonEnd))).toHaveProperty("f32");
    expect(text.slice(jsonEnd)).toMatch(/^ {0,7}$/);
    const header = encodeSafetensorsHeader(sample());
    expect(header.length % 8).toBe(0);
  });

  it("writes with the requested mode even over an existing file", () => {
    const p = join(dir, "mode.safetensors");
    writeFileSync(p, "old", { mode: 0o644 });
    writeSafetensors(p, sample(), {}, { mode: 0o600 });
    expect(statSync(p).mode & 0o777).toBe(0o600);
  });

  it("the lazy reader lists names and shapes from the header and reads one tensor at a time", () => {
    const p = join(dir, "lazy.safetensors");
    writeSafetensors(p, sample());
    const r = openSafetensors(p);
    expect(r.names()).toEqual([...sample().keys()]);
    const info = r.info("i32");
    expect(info).toMatchObject({ dtype: "I32", shape: [3], sizeBytes: 12, path: p });
    const buf = readFileSync(p);
    expect(buf.readInt32LE(info.byteOffset + 4 * 2)).toBe(2147483647);
    expect(Array.from(r.read("f64").data as Float64Array)).toEqual([Math.PI, -1e300, 5e-324]);
    expect(() => r.read("nope")).toThrow(`safetensors ${p}: no tensor named "nope"`);
    r.close();
    expect(() => r.read("f32")).toThrow(/reader is closed/);
  });

  it("reads sharded checkpoints via model.safetensors.index.json, and a plain model.safetensors", () => {
    const sharded = join(dir, "sharded");
    const plain = join(dir, "plain");
    for (const d of [sharded, plain]) rmSync(d, { recursive: true, force: true });
    mkdirSync(sharded, { recursive: true });
    mkdirSync(plain, { recursive: true });
    const all = sample();
    const names = [...all.keys()];
    const a: StateDict = new Map(names.slice(0, 4).map((n) => [n, all.get(n) as Tensor]));
    const b: StateDict = new Map(names.slice(4).map((n) => [n, all.get(n) as Tensor]));
    writeSafetensors(join(sharded, "model-00001-of-00002.safetensors"), a);
    writeSafetensors(join(sharded, "model-00002-of-00002.safetensors"), b);
    const weightMap: Record<string, string> = {};
    for (const n of a.keys()) weightMap[n] = "model-00001-of-00002.safetensors";
    for (const n of b.keys()) weightMap[n] = "model-00002-of-00002.safetensors";
    writeFileSync(
      join(sharded, "model.safetensors.index.json"),
      JSON.stringify({ metadata: { total_size: 123 }, weight_map: weightMap }),
    );
    const got = readShardedSafetensors(sharded);
    expectSame(all, got.tensors);
    expect(got.metadata).toEqual({ total_size: "123" });
    expect(openShardedSafetensors(sharded).info("i64").path).toBe(
      join(sharded, "model-00002-of-00002.safetensors"),
    );

    writeSafetensors(join(plain, "model.safetensors"), all);
    expectSame(all, readShardedSafetensors(plain).tensors);

    weightMap.ghost = "model-00001-of-00002.safetensors";
    writeFileSync(join(sharded, "model.safetensors.index.json"), JSON.stringify({ weight_map: weightMap }));
    expect(() => readShardedSafetensors(sharded)).toThrow(
      /tensor "ghost" is not in shard model-00001-of-00002.safetensors/,
    );
    delete weightMap.ghost;
    delete weightMap.f32;
    writeFileSync(join(sharded, "model.safetensors.index.json"), JSON.stringify({ weight_map: weightMap }));
    expect(() => readShardedSafetensors(sharded)).toThrow(
      /holds tensor "f32" that the weight_map does not assign to it/,
    );
    expect(() => readShardedSafetensors(join(dir, "nowhere"))).toThrow(
      /neither model.safetensors.index.json nor model.safetensors found/,
    );
  });

  describe("each corruption has its own error naming the file (and tensor)", () => {
    const good = { a: f32([2], 0, 8), b: f32([1], 8, 12) };
    const data = new Uint8Array(12);
    const cases: [string, Buffer, string | RegExp][] = [
      [
        "file shorter than 8 bytes",
        Buffer.from([1, 2, 3]),
        "safetensors bad.st: file is 3 bytes, shorter than the 8-byte header length",
      ],
      [
        "header length beyond file",
        rawFile(good, data, 5000n),
        /header length 5000 runs past the end of the \d+-byte file/,
      ],
      [
        "header length above the limit",
        rawFile(good, data, 2n ** 40n),
        /header length 1099511627776 exceeds the 100000000-byte limit/,
      ],
      ["header not JSON", rawFile("{not json", data), /header is not valid JSON/],
      ["header not an object", rawFile("[1,2]", data), "safetensors bad.st: header is not a JSON object"],
      [
        "unknown dtype",
        rawFile({ a: { dtype: "F8", shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)),
        /tensor "a": unknown dtype "F8"/,
      ],
      [
        "bad shape",
        rawFile({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
        /tensor "a": shape must be an array of non-negative integers/,
      ],
      [
        "shape × dtype ≠ span",
        rawFile({ a: f32([3], 0, 8) }, new Uint8Array(8)),
        'safetensors bad.st: tensor "a": shape [3] of F32 needs 12 bytes but data_offsets span 8 bytes',
      ],
      [
        "offsets malformed",
        rawFile({ a: f32([0], 8, 4) }, new Uint8Array(8)),
        /tensor "a": data_offsets out of range \(need two integers 0 <= begin <= end\)/,
      ],
      [
        "offsets out of range",
        rawFile({ a: f32([2], 0, 8), b: f32([1], 100, 104) }, data),
        'safetensors bad.st: tensor "b": data_offsets [100, 104] out of range of the 12-byte data section',
      ],
      [
        "overlapping offsets",
        rawFile({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, data),
        'safetensors bad.st: tensor "b": data_offsets overlap those of tensor "a"',
      ],
      [
        "gap between tensors",
        rawFile({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, data),
        'safetensors bad.st: tensor "b": 4 bytes before it belong to no tensor',
      ],
      [
        "trailing bytes",
        rawFile({ a: f32([2], 0, 8) }, data),
        "safetensors bad.st: 4 trailing data bytes belong to no tensor",
      ],
      [
        "truncated data",
        rawFile(good, new Uint8Array(10)),
        "safetensors bad.st: truncated data: the header describes 12 data bytes but the file holds only 10 after the header",
      ],
      [
        "metadata not strings",
        rawFile({ __metadata__: { x: 1 }, ...good }, data),
        'safetensors bad.st: __metadata__ value "x" is not a string',
      ],
    ];
    for (const [what, buf, msg] of cases) {
      it(what, () => {
        expect(() => readSafetensors(buf, "bad.st")).toThrow(msg);
        expect(() => readSafetensors(buf, "bad.st")).toThrow(/^safetensors bad\.st: /);
        const p = join(dir, "bad.st");
        writeFileSync(p, buf);
        // the file reader reports the same problem, with the path
        expect(() => readSafetensors(p)).toThrow(typeof msg === "string" ? msg.replace("bad.st", p) : msg);
      });
    }
    it("a valid raw file passes (the corruption cases differ from it in one thing)", () => {
      expect([...readSafetensors(rawFile(good, data), "ok").tensors.keys()]).toEqual(["a", "b"]);
    });
    it("a real file truncated on disk", () => {
      const p = join(dir, "trunc.safetensors");
      writeSafetensors(p, sample());
      const buf = readFileSync(p);
      writeFileSync(p, buf.subarray(0, buf.length - 5));
      expect(() => readSafetensors(p)).toThrow(
        /truncated data: the header describes \d+ data bytes but the file holds only \d+/,
      );
    });
  });

  it("refuses tensors whose data does not match dtype or shape", () => {
    const p = join(dir, "w.safetensors");
    const bad: StateDict = new Map([
      ["x", { dtype: "F16", shape: [2], data: new Float64Array(2) } as Tensor],
    ]);
    expect(() => writeSafetensors(p, bad)).toThrow(
      'writeSafetensors: tensor "x": dtype F16 needs a Float32Array, got Float64Array',
    );
    const bad2: StateDict = new Map([["x", { dtype: "I32", shape: [3], data: new Int32Array(2) } as Tensor]]);
    expect(() => writeSafetensors(p, bad2)).toThrow(
      'writeSafetensors: tensor "x": shape [3] has 3 elements but data has 2',
    );
  });
});

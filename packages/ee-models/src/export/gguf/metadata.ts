/**
 * GGUF metadata values: a typed union for the keys this project writes, and their serialisation.
 */
import { GgufValueType } from "./format.js";

/** One metadata value with its GGUF type. */
export type GgufValue =
  | { readonly type: "u32"; readonly value: number }
  | { readonly type: "i32"; readonly value: number }
  | { readonly type: "f32"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "string[]"; readonly value: readonly string[] }
  | { readonly type: "i32[]"; readonly value: Int32Array | readonly number[] }
  | { readonly type: "f32[]"; readonly value: Float32Array | readonly number[] };

/** Metadata in file order (key → value); llama.cpp wants `general.architecture` first. */
export type GgufMetadata = ReadonlyArray<readonly [key: string, value: GgufValue]>;

/** Helpers that read like the key table. */
export const gv = {
  u32: (value: number): GgufValue => ({ type: "u32", value }),
  i32: (value: number): GgufValue => ({ type: "i32", value }),
  f32: (value: number): GgufValue => ({ type: "f32", value }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  str: (value: string): GgufValue => ({ type: "string", value }),
  strs: (value: readonly string[]): GgufValue => ({ type: "string[]", value }),
  i32s: (value: Int32Array | readonly number[]): GgufValue => ({ type: "i32[]", value }),
  f32s: (value: Float32Array | readonly number[]): GgufValue => ({ type: "f32[]", value }),
};

/** Growable little-endian byte buffer. */
export class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  /** Bytes written so far (bytes). */
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`gguf: ${v} is not a u32`);
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`gguf: ${v} is not a u64 below 2^53`);
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }
  /** The bytes written. */
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Append one metadata value (type code, then payload). */
export function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "u32":
      sink.u32(GgufValueType.UINT32);
      sink.u32(v.value);
      return;
    case "i32":
      sink.u32(GgufValueType.INT32);
      sink.i32(v.value);
      return;
    case "f32":
      sink.u32(GgufValueType.FLOAT32);
      sink.f32(v.value);
      return;
    case "bool":
      sink.u32(GgufValueType.BOOL);
      sink.u8(v.value ? 1 : 0);
      return;
    case "string":
      sink.u32(GgufValueType.STRING);
      sink.string(v.value);
      return;
    case "string[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.STRING);
      sink.u64(v.value.length);
      for (const s of v.value) sink.string(s);
      return;
    case "i32[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.INT32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.i32(x);
      return;
    case "f32[]":
      sink.u32(GgufValueType.ARRAY);
      sink.u32(GgufValueType.FLOAT32);
      sink.u64(v.value.length);
      for (const x of v.value) sink.f32(x);
      return;
  }
}

/**
 * Reading and checking a GGUF file's header (metadata and tensor infos) without loading tensor data.
 * `checkGgufFile` is what an engine calls before handing a file to llama.cpp, which may abort the
 * process on a malformed file: wrong magic, unsupported version, a truncated header, a tensor whose
 * data would lie past the end of the file — each is a one-line error naming the file.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GgufValueType, SCALAR_BYTES } from "./format.js";
import { GGML_TYPE_GEOMETRY, ggmlTensorBytes } from "./tensor-types.js";

/** A metadata value as read (arrays of scalars as number arrays, strings as strings). */
export type GgufReadValue =
  | number
  | bigint
  | boolean
  | string
  | readonly (number | bigint | boolean | string)[];

/** One tensor info as read. */
export interface GgufTensorInfo {
  /** Tensor name. */
  readonly name: string;
  /** Dims, innermost first (elements per axis). */
  readonly ne: readonly number[];
  /** ggml type code (code). */
  readonly typeCode: number;
  /** Offset of the data from the start of the data section (bytes). */
  readonly offset: number;
  /** Size of the data (bytes). */
  readonly bytes: number;
}

/** A GGUF file's header. */
export interface GgufHeader {
  /** Container version (version). */
  readonly version: number;
  /** Metadata in file order. */
  readonly metadata: ReadonlyMap<string, GgufReadValue>;
  /** Tensor infos in file order. */
  readonly tensors: readonly GgufTensorInfo[];
  /** Where the data section starts (bytes from the file start). */
  readonly dataOffset: number;
  /** File size (bytes). */
  readonly fileBytes: number;
}

class NeedMore extends Error {}

/** Sequential little-endian reader over a prefix of the file. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(
    private readonly buf: Uint8Array,
    private readonly complete: boolean,
    private readonly where: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number, what: string): void {
    if (this.pos + n <= this.buf.length) return;
    if (!this.complete) throw new NeedMore();
    throw new Error(
      `${this.where}: truncated GGUF header (${what} at byte ${this.pos} runs past the end of the file)`,
    );
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(
        `${this.where}: ${what} = ${v} at byte ${this.pos - 8} is implausibly large (corrupt file?)`,
      );
    return Number(v);
  }
  string(what: string): string {
    const n = this.u64(`${what} length`);
    this.need(n, what);
    const s = new TextDecoder("utf-8", { fatal: false }).decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  scalar(type: number, what: string): number | bigint | boolean {
    const w = SCALAR_BYTES[type];
    this.need(w, what);
    const p = this.pos;
    this.pos += w;
    switch (type) {
      case GgufValueType.UINT8:
        return this.view.getUint8(p);
      case GgufValueType.INT8:
        return this.view.getInt8(p);
      case GgufValueType.UINT16:
        return this.view.getUint16(p, true);
      case GgufValueType.INT16:
        return this.view.getInt16(p, true);
      case GgufValueType.UINT32:
        return this.view.getUint32(p, true);
      case GgufValueType.INT32:
        return this.view.getInt32(p, true);
      case GgufValueType.FLOAT32:
        return this.view.getFloat32(p, true);
      case GgufValueType.BOOL:
        return this.view.getUint8(p) !== 0;
      case GgufValueType.UINT64:
        return this.view.getBigUint64(p, true);
      case GgufValueType.INT64:
        return this.view.getBigInt64(p, true);
      default:
        return this.view.getFloat64(p, true);
    }
  }
  value(type: number, what: string): GgufReadValue {
    if (type === GgufValueType.STRING) return this.string(what);
    if (type === GgufValueType.ARRAY) {
      const itemType = this.u32(`${what} item type`);
      const n = this.u64(`${what} count`);
      if (itemType === GgufValueType.ARRAY)
        throw new Error(`${this.where}: ${what}: nested arrays are not supported`);
      if (itemType !== GgufValueType.STRING && SCALAR_BYTES[itemType] === undefined)
        throw new Error(`${this.where}: ${what}: unknown array item type ${itemType}`);
      const out: (number | bigint | boolean | string)[] = [];
      for (let i = 0; i < n; i++)
        out.push(itemType === GgufValueType.STRING ? this.string(what) : this.scalar(itemType, what));
      return out;
    }
    if (SCALAR_BYTES[type] === undefined)
      throw new Error(`${this.where}: ${what}: unknown value type ${type}`);
    return this.scalar(type, what);
  }
}

function parse(buf: Uint8Array, complete: boolean, where: string, fileBytes: number): GgufHeader {
  const c = new Cursor(buf, complete, where);
  const magic = c.u32("magic");
  if (magic !== GGUF_MAGIC) throw new Error(`${where}: not a GGUF file (bad magic 0x${magic.toString(16)})`);
  const version = c.u32("version");
  if (version !== 2 && version !== 3)
    throw new Error(`${where}: GGUF version ${version} is not supported (2 or 3)`);
  const nTensors = c.u64("tensor count");
  const nKv = c.u64("metadata count");
  const metadata = new Map<string, GgufReadValue>();
  for (let i = 0; i < nKv; i++) {
    const key = c.string(`metadata key ${i}`);
    const type = c.u32(`type of ${key}`);
    metadata.set(key, c.value(type, key));
  }
  const align = metadata.get("general.alignment") ?? GGUF_DEFAULT_ALIGNMENT;
  if (typeof align !== "number" || align <= 0 || (align & (align - 1)) !== 0)
    throw new Error(`${where}: general.alignment ${String(align)} is not a power of two`);
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.string(`tensor ${i} name`);
    const nDims = c.u32(`tensor ${name} n_dims`);
    if (nDims > 4) throw new Error(`${where}: tensor ${name} has ${nDims} dims (ggml allows at most 4)`);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(c.u64(`tensor ${name} dim ${d}`));
    const typeCode = c.u32(`tensor ${name} type`);
    if (!GGML_TYPE_GEOMETRY.has(typeCode))
      throw new Error(`${where}: tensor ${name} has unknown ggml type ${typeCode}`);
    const offset = c.u64(`tensor ${name} offset`);
    if (offset % align !== 0)
      throw new Error(`${where}: tensor ${name} offset ${offset} is not aligned to ${align}`);
    tensors.push({
      name,
      ne,
      typeCode,
      offset,
      bytes: ggmlTensorBytes(typeCode, ne, `${where}: tensor ${name}`),
    });
  }
  const dataOffset = Math.ceil(c.pos / align) * align;
  for (const t of tensors) {
    const end = dataOffset + t.offset + t.bytes;
    if (end > fileBytes)
      throw new Error(
        `${where}: truncated GGUF: tensor ${t.name} ends at byte ${end} but the file has ${fileBytes} bytes`,
      );
  }
  return { version, metadata, tensors, dataOffset, fileBytes };
}

/** Read and check the header of the GGUF file at `path` (see the module comment). */
export function checkGgufFile(path: string): GgufHeader {
  let fileBytes: number;
  try {
    fileBytes = statSync(path).size;
  } catch {
    throw new Error(`${path}: GGUF file not found`);
  }
  let want = Math.min(fileBytes, 1 << 22);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const buf = new Uint8Array(want);
      const n = readSync(fd, buf, 0, want, 0);
      try {
        return parse(buf.subarray(0, n), want >= fileBytes, path, fileBytes);
      } catch (e) {
        if (!(e instanceof NeedMore)) throw e;
        want = Math.min(fileBytes, want * 4);
      }
    }
  } finally {
    closeSync(fd);
  }
}

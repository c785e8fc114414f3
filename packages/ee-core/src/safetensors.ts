/**
 * safetensors read/write. Layout: 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON
 * (`{"__metadata__": {str: str}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}}`,
 * offsets relative to the data section), then the data section. Every byte of the data section
 * belongs to exactly one tensor. The writer pads the header with spaces so data starts 8-byte aligned.
 *
 * Reading validates strictly; each problem has its own message naming the file (and tensor).
 * Reading from a path uses positioned reads tensor by tensor (`openSafetensors`), so a checkpoint is
 * never held twice in memory; writing goes tensor by tensor to a file descriptor (works past 2 GB).
 */

import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { bfloat16ToFloat32, float32ToBfloat16, float32ToHalf, halfToFloat32 } from "./float16.js";
import type {
  DType,
  SafetensorsContents,
  SafetensorsReader,
  SafetensorsTensorInfo,
  StateDict,
  Tensor,
  TensorData,
  WriteSafetensorsOptions,
} from "./types.js";

/** Largest header accepted (100 MB, as the reference implementation). */
export const MAX_HEADER_BYTES = 100 * 1000 * 1000;
/** Largest single read/write call (1 GiB; node's limit per call is 2 GiB − 1). */
const IO_CHUNK_BYTES = 1 << 30;
/** Elements converted per step when narrowing to F16/BF16 on write. */
const CONVERT_CHUNK = 1 << 20;

/** Bytes per element of every supported dtype. */
export const DTYPE_SIZE_BYTES: Readonly<Record<DType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U32: 4,
};

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

interface Header {
  metadata: Record<string, string>;
  entries: Entry[];
  /** Absolute file position of the data section. */
  dataStart: number;
}

function isDType(s: unknown): s is DType {
  return typeof s === "string" && Object.hasOwn(DTYPE_SIZE_BYTES, s);
}

/** Product of a shape (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Parse and validate the header. `label` names the file in errors; `headerBytes` is the JSON; the data
 * section holds `dataLength` bytes starting at `dataStart`.
 */
function parseHeader(label: string, headerBytes: Uint8Array, dataStart: number, dataLength: number): Header {
  const where = `safetensors ${label}`;
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.from(headerBytes.buffer, headerBytes.byteOffset, headerBytes.byteLength).toString("utf8"),
    );
  } catch (e) {
    throw new Error(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new Error(`${where}: header is not a JSON object`);
  }
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new Error(`${where}: __metadata__ is not an object of strings`);
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") throw new Error(`${where}: __metadata__ value "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const t = `${where}: tensor "${name}"`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw))
      throw new Error(`${t}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDType(dtype))
      throw new Error(
        `${t}: unknown dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_SIZE_BYTES).join(", ")})`,
      );
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${t}: shape must be an array of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !Number.isSafeInteger(offsets[0]) ||
      !Number.isSafeInteger(offsets[1]) ||
      offsets[0] < 0 ||
      offsets[1] < offsets[0]
    ) {
      throw new Error(`${t}: data_offsets out of range (need two integers 0 <= begin <= end)`);
    }
    const [begin, end] = offsets as [number, number];
    const want = numElements(shape as number[]) * DTYPE_SIZE_BYTES[dtype];
    if (want !== end - begin) {
      throw new Error(
        `${t}: shape [${(shape as number[]).join(", ")}] of ${dtype} needs ${want} bytes but data_offsets span ${end - begin} bytes`,
      );
    }
    entries.push({ name, dtype, shape: (shape as number[]).slice(), begin, end });
  }
  // coverage: sorted by begin, each tensor must start where the previous ended
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let contiguous = true;
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) contiguous = false;
    cursor = Math.max(cursor, e.end);
  }
  if (contiguous && cursor > dataLength) {
    throw new Error(
      `${where}: truncated data: the header describes ${cursor} data bytes but the file holds only ${dataLength} after the header`,
    );
  }
  for (const e of entries) {
    if (e.end > dataLength) {
      throw new Error(
        `${where}: tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] out of range of the ${dataLength}-byte data section`,
      );
    }
  }
  cursor = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor && prev !== undefined) {
      throw new Error(`${where}: tensor "${e.name}": data_offsets overlap those of tensor "${prev.name}"`);
    }
    if (e.begin > cursor) {
      throw new Error(
        `${where}: tensor "${e.name}": ${e.begin - cursor} bytes before it belong to no tensor`,
      );
    }
    cursor = e.end;
    prev = e;
  }
  if (cursor !== dataLength) {
    throw new Error(`${where}: ${dataLength - cursor} trailing data bytes belong to no tensor`);
  }
  return { metadata, entries, dataStart };
}

/** Read and validate the 8-byte prefix; returns the header length. */
function headerLength(label: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8)
    throw new Error(`safetensors ${label}: file is ${fileSize} bytes, shorter than the 8-byte header length`);
  const n = Buffer.from(prefix.buffer, prefix.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(`safetensors ${label}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw new Error(
      `safetensors ${label}: header length ${len} runs past the end of the ${fileSize}-byte file`,
    );
  }
  return len;
}

function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case "F64":
      return new Float64Array(n);
    case "F32":
    case "F16":
    case "BF16":
      return new Float32Array(n);
    case "I64":
      return new BigInt64Array(n);
    case "I32":
      return new Int32Array(n);
    case "U32":
      return new Uint32Array(n);
  }
}

/** Decode one tensor whose raw bytes are produced by `fill(target)` (target length = sizeBytes). */
function decode(e: Entry, fill: (target: Uint8Array) => void): Tensor {
  const n = numElements(e.shape);
  const data = allocate(e.dtype, n);
  if (e.dtype === "F16" || e.dtype === "BF16") {
    const raw = new Uint16Array(n);
    fill(new Uint8Array(raw.buffer));
    if (e.dtype === "F16") halfToFloat32(raw, data as Float32Array);
    else bfloat16ToFloat32(raw, data as Float32Array);
  } else {
    fill(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return { dtype: e.dtype, shape: e.shape.slice(), data };
}

function readFully(fd: number, target: Uint8Array, position: number, label: string): void {
  let done = 0;
  while (done < target.length) {
    const want = Math.min(IO_CHUNK_BYTES, target.length - done);
    const got = readSync(fd, target, done, want, position + done);
    if (got === 0) throw new Error(`safetensors ${label}: truncated data: file ended while reading`);
    done += got;
  }
}

class FileReader implements SafetensorsReader {
  readonly path: string;
  readonly metadata: Record<string, string>;
  private fd: number | undefined;
  private readonly header: Header;
  private readonly byName: Map<string, Entry>;

  constructor(path: string) {
    this.path = path;
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const prefix = new Uint8Array(8);
      if (size >= 8) readFully(fd, prefix, 0, path);
      const len = headerLength(path, prefix, size);
      const hb = new Uint8Array(len);
      readFully(fd, hb, 8, path);
      this.header = parseHeader(path, hb, 8 + len, size - 8 - len);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
    this.metadata = this.header.metadata;
    this.byName = new Map(this.header.entries.map((e) => [e.name, e]));
  }

  names(): string[] {
    return this.header.entries.map((e) => e.name);
  }

  private entry(name: string): Entry {
    const e = this.byName.get(name);
    if (e === undefined) throw new Error(`safetensors ${this.path}: no tensor named "${name}"`);
    return e;
  }

  info(name: string): SafetensorsTensorInfo {
    const e = this.entry(name);
    return {
      dtype: e.dtype,
      shape: e.shape.slice(),
      byteOffset: this.header.dataStart + e.begin,
      sizeBytes: e.end - e.begin,
      path: this.path,
    };
  }

  read(name: string): Tensor {
    const e = this.entry(name);
    const fd = this.fd;
    if (fd === undefined) throw new Error(`safetensors ${this.path}: reader is closed`);
    return decode(e, (target) => readFully(fd, target, this.header.dataStart + e.begin, this.path));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Open a safetensors file: the header is parsed and validated now, tensor data is read on demand. */
export function openSafetensors(path: string): SafetensorsReader {
  return new FileReader(path);
}

/**
 * Read every tensor of a safetensors file (by path, with positioned reads) or of an in-memory buffer
 * (`name` labels the buffer in errors).
 */
export function readSafetensors(source: string | Uint8Array, name?: string): SafetensorsContents {
  if (typeof source === "string") {
    const r = openSafetensors(source);
    try {
      const tensors: StateDict = new Map();
      for (const n of r.names()) tensors.set(n, r.read(n));
      return { tensors, metadata: { ...r.metadata } };
    } finally {
      r.close();
    }
  }
  const label = name ?? "<buffer>";
  const len = headerLength(label, source.subarray(0, 8), source.length);
  const header = parseHeader(label, source.subarray(8, 8 + len), 8 + len, source.length - 8 - len);
  const tensors: StateDict = new Map();
  for (const e of header.entries) {
    const start = header.dataStart + e.begin;
    tensors.set(
      e.name,
      decode(e, (target) => target.set(source.subarray(start, header.dataStart + e.end))),
    );
  }
  return { tensors, metadata: header.metadata };
}

function expectedArray(dtype: DType): string {
  switch (dtype) {
    case "F64":
      return "Float64Array";
    case "F32":
    case "F16":
    case "BF16":
      return "Float32Array";
    case "I64":
      return "BigInt64Array";
    case "I32":
      return "Int32Array";
    case "U32":
      return "Uint32Array";
  }
}

/** Throws unless `t` is a well-formed tensor (`where` names it). */
export function validateTensor(t: Tensor, where: string): void {
  if (!isDType(t.dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be an array of non-negative integers`);
  }
  const want = expectedArray(t.dtype);
  if (t.data?.constructor?.name !== want) {
    throw new Error(
      `${where}: dtype ${t.dtype} needs a ${want}, got ${t.data?.constructor?.name ?? typeof t.data}`,
    );
  }
  const n = numElements(t.shape);
  if (t.data.length !== n) {
    throw new Error(
      `${where}: shape [${t.shape.join(", ")}] has ${n} elements but data has ${t.data.length}`,
    );
  }
}

/**
 * The on-disk (little-endian) bytes of a tensor, delivered in pieces to `sink` (F16/BF16 are narrowed
 * in chunks, other dtypes are views of the data without a copy).
 */
export function forEachTensorChunk(t: Tensor, sink: (bytes: Uint8Array) => void): void {
  if (t.dtype === "F16" || t.dtype === "BF16") {
    const src = t.data as Float32Array;
    const buf = new Uint16Array(Math.min(CONVERT_CHUNK, src.length));
    for (let i = 0; i < src.length; i += CONVERT_CHUNK) {
      const part = src.subarray(i, Math.min(src.length, i + CONVERT_CHUNK));
      const out = buf.subarray(0, part.length);
      if (t.dtype === "F16") float32ToHalf(part, out);
      else float32ToBfloat16(part, out);
      sink(new Uint8Array(out.buffer, 0, out.byteLength));
    }
    return;
  }
  const d = t.data;
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  for (let i = 0; i < bytes.length; i += IO_CHUNK_BYTES)
    sink(bytes.subarray(i, Math.min(bytes.length, i + IO_CHUNK_BYTES)));
}

function writeFully(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** The padded header for `tensors` (exported for tests and for callers computing file sizes). */
export function encodeSafetensorsHeader(
  tensors: StateDict,
  metadata: Record<string, string> = {},
): Uint8Array {
  for (const [name, t] of tensors) {
    if (name !== "__metadata__") validateTensor(t, `writeSafetensors: tensor "${name}"`);
  }
  return encodeSafetensorsLayout(tensors, metadata);
}

/**
 * The padded header for tensors known only by dtype and shape, in order (for writers that stream the
 * data afterwards, e.g. a sharded checkpoint writer).
 */
export function encodeSafetensorsLayout(
  tensors: Iterable<readonly [string, { readonly dtype: DType; readonly shape: readonly number[] }]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const metaKeys = Object.keys(metadata);
  if (metaKeys.length > 0) {
    for (const k of metaKeys) {
      if (typeof metadata[k] !== "string")
        throw new Error(`writeSafetensors: metadata "${k}" is not a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__")
      throw new Error(`writeSafetensors: "__metadata__" is reserved and cannot name a tensor`);
    const size = numElements(t.shape) * DTYPE_SIZE_BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}

/**
 * Write `tensors` (in map order) to `path` as safetensors: to a temporary file beside it, chmod to
 * `mode`, fsync, then rename over `path` (so readers never see half a file and an old file's mode does
 * not survive).
 */
export function writeSafetensors(
  path: string,
  tensors: StateDict,
  metadata: Record<string, string> = {},
  opts: WriteSafetensorsOptions = {},
): void {
  const mode = opts.mode ?? 0o644;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
    throw new Error(`writeSafetensors: mode must be a file mode, got ${mode}`);
  const header = encodeSafetensorsHeader(tensors, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  const fd = openSync(tmp, "wx", mode & 0o700);
  let ok = false;
  try {
    writeFully(fd, header);
    for (const t of tensors.values()) forEachTensorChunk(t, (bytes) => writeFully(fd, bytes));
    fchmodSync(fd, mode);
    fsyncSync(fd);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) unlinkSync(tmp);
  }
  renameSync(tmp, path);
}

/** File name of a sharded checkpoint's index. */
export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";
/** File name of a single-file checkpoint. */
export const SAFETENSORS_SINGLE_FILE = "model.safetensors";

class ShardedReader implements SafetensorsReader {
  readonly path: string;
  readonly metadata: Record<string, string>;
  private readonly shards = new Map<string, SafetensorsReader>();
  private readonly order: string[];
  private readonly where = new Map<string, SafetensorsReader>();

  constructor(dir: string) {
    this.path = dir;
    const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
    let index: unknown;
    try {
      index = JSON.parse(readFileSync(indexPath, "utf8"));
    } catch (e) {
      throw new Error(`safetensors index ${indexPath}: cannot read as JSON (${(e as Error).message})`);
    }
    const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
    if (weightMap === null || typeof weightMap !== "object" || Array.isArray(weightMap)) {
      throw new Error(`safetensors index ${indexPath}: "weight_map" is missing or not an object`);
    }
    const meta = (index as { metadata?: unknown }).metadata;
    this.metadata = {};
    if (meta !== undefined && meta !== null && typeof meta === "object") {
      for (const [k, v] of Object.entries(meta))
        this.metadata[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    this.order = Object.keys(weightMap);
    try {
      for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
        if (
          typeof file !== "string" ||
          file.length === 0 ||
          file.includes("/") ||
          file.includes("\\") ||
          file === ".."
        ) {
          throw new Error(
            `safetensors index ${indexPath}: tensor "${name}" maps to an invalid shard file name`,
          );
        }
        let shard = this.shards.get(file);
        if (shard === undefined) {
          shard = openSafetensors(join(dir, file));
          this.shards.set(file, shard);
        }
        if (!shard.names().includes(name)) {
          throw new Error(`safetensors index ${indexPath}: tensor "${name}" is not in shard ${file}`);
        }
        this.where.set(name, shard);
      }
      for (const [file, shard] of this.shards) {
        for (const n of shard.names()) {
          if (this.where.get(n) !== shard) {
            throw new Error(
              `safetensors index ${indexPath}: shard ${file} holds tensor "${n}" that the weight_map does not assign to it`,
            );
          }
        }
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  names(): string[] {
    return this.order.slice();
  }

  private shard(name: string): SafetensorsReader {
    const s = this.where.get(name);
    if (s === undefined) throw new Error(`safetensors ${this.path}: no tensor named "${name}"`);
    return s;
  }

  info(name: string): SafetensorsTensorInfo {
    return this.shard(name).info(name);
  }

  read(name: string): Tensor {
    return this.shard(name).read(name);
  }

  close(): void {
    for (const s of this.shards.values()) s.close();
  }
}

/**
 * Open a checkpoint folder: `model.safetensors.index.json` with its shards, or else a plain
 * `model.safetensors`. Tensors are read on demand.
 */
export function openShardedSafetensors(dir: string): SafetensorsReader {
  if (existsSync(join(dir, SAFETENSORS_INDEX_FILE))) return new ShardedReader(dir);
  const single = join(dir, SAFETENSORS_SINGLE_FILE);
  if (existsSync(single)) return openSafetensors(single);
  throw new Error(
    `safetensors checkpoint ${dir}: neither ${SAFETENSORS_INDEX_FILE} nor ${SAFETENSORS_SINGLE_FILE} found`,
  );
}

/** Read every tensor of a checkpoint folder (see `openShardedSafetensors`). */
export function readShardedSafetensors(dir: string): SafetensorsContents {
  const r = openShardedSafetensors(dir);
  try {
    const tensors: StateDict = new Map();
    for (const n of r.names()) tensors.set(n, r.read(n));
    return { tensors, metadata: { ...r.metadata } };
  } finally {
    r.close();
  }
}

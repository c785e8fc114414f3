/**
 * Reading ONNX model files.
 * - `readModelProto`: the whole ModelProto, merging repeated `graph` fields as protobuf parsers (and
 *   ONNX Runtime) do. Needed for files written by `writer.ts`, which streams each initializer as its
 *   own `ModelProto{graph{initializer}}` segment: protobufjs' `ModelProto.decode` alone would keep
 *   only the last segment's graph.
 * - `readOnnxInitializers`: selected initializers as ee-core tensors (as stored: HF layout for
 *   tensors the builder stored untransposed), from inline data or the external data file. This is
 *   what an attacker holding an encrypted folder can do; `ee attack` uses it.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StateDict, Tensor } from "ee-core";
import { type Onnx, onnx } from "./proto.js";

/** Reads a base-128 varint at `pos`; returns [value, next position]. Values up to 2^53 are exact. */
function varint(buf: Uint8Array, pos: number, where: string): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error(`${where}: truncated varint at byte ${pos}`);
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new Error(`${where}: varint longer than 10 bytes at byte ${pos}`);
}

/** The repeated fields of GraphProto, concatenated when graphs merge. */
const GRAPH_LISTS = [
  "node",
  "initializer",
  "sparseInitializer",
  "input",
  "output",
  "valueInfo",
  "quantizationAnnotation",
] as const;

/** Protobuf merge of two GraphProtos: lists concatenated, set scalars of `b` win. */
function mergeGraphs(a: Onnx.GraphProto, b: Onnx.GraphProto): Onnx.GraphProto {
  const out = onnx.GraphProto.create({ ...a });
  for (const k of GRAPH_LISTS) {
    const la = (a[k] ?? []) as unknown[];
    const lb = (b[k] ?? []) as unknown[];
    (out as unknown as Record<string, unknown[]>)[k] = [...la, ...lb];
  }
  if (b.name) out.name = b.name;
  if (b.docString) out.docString = b.docString;
  return out;
}

/** Decode a model file (path or bytes), merging every top-level `graph` (field 7) occurrence. */
export function readModelProto(source: string | Uint8Array): Onnx.ModelProto {
  const where = typeof source === "string" ? source : "<onnx bytes>";
  const buf = typeof source === "string" ? new Uint8Array(readFileSync(source)) : source;
  const rest: Uint8Array[] = [];
  let graph: Onnx.GraphProto | undefined;
  forEachField(buf, where, (field, raw, payload) => {
    if (field === 7 && payload) {
      const g = onnx.GraphProto.decode(payload);
      graph = graph ? mergeGraphs(graph, g) : g;
    } else rest.push(raw);
  });
  const others = new Uint8Array(rest.reduce((s, r) => s + r.length, 0));
  let at = 0;
  for (const r of rest) {
    others.set(r, at);
    at += r.length;
  }
  const model = onnx.ModelProto.decode(others);
  if (graph) model.graph = graph;
  return model;
}

/**
 * Walks the top-level fields of a protobuf message: `visit(fieldNumber, rawFieldBytes, payload)`, where
 * `payload` is the content of a length-delimited field (undefined for scalar wire types).
 */
function forEachField(
  buf: Uint8Array,
  where: string,
  visit: (field: number, raw: Uint8Array, payload: Uint8Array | undefined) => void,
): void {
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, afterTag] = varint(buf, pos, where);
    const wire = tag & 7;
    let payload: Uint8Array | undefined;
    pos = afterTag;
    if (wire === 0) [, pos] = varint(buf, pos, where);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, afterLen] = varint(buf, pos, where);
      pos = afterLen + len;
      payload = buf.subarray(afterLen, pos);
    } else throw new Error(`${where}: unsupported protobuf wire type ${wire} at byte ${start}`);
    if (pos > buf.length)
      throw new Error(`${where}: field ${Math.floor(tag / 8)} runs past the end of the data`);
    visit(Math.floor(tag / 8), buf.subarray(start, pos), payload);
  }
}

/** Calls `visit(fieldNumber, bytes)` for each length-delimited top-level field of a message. */
function forEachLengthDelimited(
  buf: Uint8Array,
  where: string,
  visit: (field: number, bytes: Uint8Array) => void,
): void {
  forEachField(buf, where, (field, _raw, payload) => {
    if (payload) visit(field, payload);
  });
}

/** Bytes of an external tensor (`location`, `offset`, `length` entries), read from beside the model. */
function externalBytes(t: Onnx.TensorProto, modelDir: string, where: string): Uint8Array {
  const entry = (k: string) => t.externalData.find((e) => e.key === k)?.value;
  const location = entry("location");
  if (!location) throw new Error(`${where}: initializer ${t.name} is external but has no location`);
  const offset = Number(entry("offset") ?? 0);
  const length = Number(entry("length"));
  if (!Number.isFinite(length))
    throw new Error(`${where}: initializer ${t.name} is external but has no length`);
  const file = join(modelDir, location);
  const out = new Uint8Array(length);
  const fd = openSync(file, "r");
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0)
        throw new Error(`${file}: ends before byte ${offset + length} needed by initializer ${t.name}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** An ee-core tensor from a TensorProto (float32 → F32, int64 → I64; other types are errors). */
function toTensor(t: Onnx.TensorProto, modelDir: string, where: string): Tensor {
  const shape = t.dims.map((d) => Number(d));
  const n = shape.reduce((a, b) => a * b, 1);
  const external = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
  const raw = external ? externalBytes(t, modelDir, where) : t.rawData?.length ? t.rawData : undefined;
  const T = onnx.TensorProto.DataType;
  const elemBytes = t.dataType === T.FLOAT ? 4 : t.dataType === T.INT64 ? 8 : 0;
  if (elemBytes === 0)
    throw new Error(
      `${where}: initializer ${t.name} has ONNX data type ${t.dataType}; only float32 and int64 are read`,
    );
  if (raw && raw.length !== n * elemBytes) {
    throw new Error(
      `${where}: initializer ${t.name} holds ${raw.length} bytes for shape [${shape.join(", ")}] (${n * elemBytes} expected)`,
    );
  }
  if (t.dataType === T.FLOAT) {
    const data = new Float32Array(n);
    if (raw) new Uint8Array(data.buffer).set(raw.subarray(0, n * 4));
    else data.set(t.floatData);
    return { dtype: "F32", shape, data };
  }
  if (t.dataType === T.INT64) {
    const data = new BigInt64Array(n);
    if (raw) new Uint8Array(data.buffer).set(raw.subarray(0, n * 8));
    else for (let i = 0; i < n; i++) data[i] = BigInt(String(t.int64Data[i]));
    return { dtype: "I64", shape, data };
  }
  throw new Error(`${where}: initializer ${t.name}: unreachable data type ${t.dataType}`);
}

/**
 * The named initializers of an ONNX model file, as stored (dims and layout of the file), from inline
 * or external data. Only the requested tensors are decoded. Missing names → one error listing them.
 */
export function readOnnxInitializers(onnxPath: string, names: readonly string[]): StateDict {
  const wanted = new Set(names);
  const found = new Map<string, Tensor>();
  const buf = new Uint8Array(readFileSync(onnxPath));
  const modelDir = dirname(onnxPath);
  forEachLengthDelimited(buf, onnxPath, (field, graphBytes) => {
    if (field !== 7) return; // ModelProto.graph
    forEachLengthDelimited(graphBytes, onnxPath, (gField, tensorBytes) => {
      if (gField !== 5) return; // GraphProto.initializer
      const t = onnx.TensorProto.decode(tensorBytes);
      if (wanted.has(t.name) && !found.has(t.name)) found.set(t.name, toTensor(t, modelDir, onnxPath));
    });
  });
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`${onnxPath}: no initializer named ${missing.join(", ")}`);
  return new Map(names.map((n) => [n, found.get(n) as Tensor]));
}

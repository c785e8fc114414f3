/**
 * Streams a GraphBuilder to `onnx/model.onnx` (+ `onnx/model.onnx_data`), tensor by tensor.
 *
 * Protobuf merges repeated occurrences of an embedded message field, so the file is written as
 *   encode(ModelProto without initializers) ‖ encode(ModelProto{graph{initializer:[t₁]}}) ‖ …
 * which parsers read as one model with all initializers. Each initializer's bytes are produced,
 * written and dropped before the next one: the writer never holds two copies of the weights.
 *
 * External tensors follow the ONNX external-data convention: `data_location = EXTERNAL` and
 * `external_data` entries `location` (file name beside model.onnx), `offset`, `length` (bytes).
 * Offsets of tensors ≥ 1 MiB are 4096-aligned so ONNX Runtime can memory-map them. Graph constants
 * (`inline` specs: Reshape shapes, scalars) always stay in model.onnx, where shape inference reads them.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { GraphBuilder, InitializerSpec } from "./builder.js";
import { elemCode } from "./builder.js";
import { type Onnx, onnx } from "./proto.js";

/** Options of `saveGraph`. */
export interface SaveOptions {
  /**
   * Initializers of at least this many bytes go to `model.onnx_data` (bytes). Default: none
   * external unless all initializers together exceed `AUTO_EXTERNAL_TOTAL_BYTES`.
   */
  externalDataThresholdBytes?: number;
}

/** What `saveGraph` wrote. */
export interface SaveResult {
  /** `outDir/onnx/model.onnx` (file path). */
  onnxPath: string;
  /** `outDir/onnx/model.onnx_data` when used (file path). */
  externalDataPath?: string;
  /** Size of model.onnx (bytes). */
  onnxSizeBytes: number;
  /** Size of model.onnx_data, 0 when none (bytes). */
  externalDataSizeBytes: number;
}

/** Above this total initializer size the weights go external by default (protobuf's limit is 2 GiB). */
export const AUTO_EXTERNAL_TOTAL_BYTES = 1.8e9;
/** Per-tensor threshold used when external data is chosen automatically (bytes). */
const AUTO_EXTERNAL_TENSOR_BYTES = 1024;
/** Alignment of large external tensors (bytes). */
const PAGE_BYTES = 4096;
const MIB = 1 << 20;

/** Writes all of `data` at the fd's current position. */
function writeAll(fd: number, data: ArrayBufferView): void {
  let buf = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  while (buf.byteLength > 0) {
    const n = writeSync(fd, buf);
    buf = buf.subarray(n);
  }
}

/** Little-endian bytes of an initializer's data, checked against its declared size. */
function bytesOf(spec: InitializerSpec): Uint8Array {
  const v = spec.produce();
  if (v.byteLength !== spec.sizeBytes) {
    throw new Error(
      `initializer ${spec.name}: produced ${v.byteLength} bytes, expected ${spec.sizeBytes} for [${spec.dims.join(", ")}]`,
    );
  }
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Writes the graph; see the module comment for the layout. */
export function saveGraph(g: GraphBuilder, outDir: string, opts: SaveOptions = {}): SaveResult {
  const dir = join(outDir, "onnx");
  mkdirSync(dir, { recursive: true });
  const onnxPath = join(dir, "model.onnx");
  const dataName = "model.onnx_data";
  const dataPath = join(dir, dataName);

  const totalBytes = g.initializers.reduce((s, t) => s + t.sizeBytes, 0);
  const threshold =
    opts.externalDataThresholdBytes ??
    (totalBytes > AUTO_EXTERNAL_TOTAL_BYTES ? AUTO_EXTERNAL_TENSOR_BYTES : Number.POSITIVE_INFINITY);
  const isExternal = (t: InitializerSpec) => !t.inline && t.sizeBytes >= threshold;
  const anyExternal = g.initializers.some(isExternal);

  if (!anyExternal) rmSync(dataPath, { force: true }); // a stale data file from an earlier build
  const fd = openSync(onnxPath, "w");
  const dataFd = anyExternal ? openSync(dataPath, "w") : -1;
  let dataOffset = 0;
  try {
    writeAll(fd, onnx.ModelProto.encode(g.modelProto()).finish());
    for (const spec of g.initializers) {
      const bytes = bytesOf(spec);
      const t: Onnx.ITensorProto = { name: spec.name, dims: spec.dims, dataType: elemCode(spec.elem) };
      if (isExternal(spec)) {
        const align = spec.sizeBytes >= MIB ? PAGE_BYTES : 64;
        const pad = (align - (dataOffset % align)) % align;
        if (pad > 0) writeAll(dataFd, new Uint8Array(pad));
        dataOffset += pad;
        writeAll(dataFd, bytes);
        t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
        t.externalData = [
          { key: "location", value: dataName },
          { key: "offset", value: String(dataOffset) },
          { key: "length", value: String(spec.sizeBytes) },
        ];
        dataOffset += spec.sizeBytes;
      } else {
        t.rawData = bytes;
      }
      writeAll(fd, onnx.ModelProto.encode({ graph: { initializer: [t] } }).finish());
    }
  } finally {
    closeSync(fd);
    if (dataFd >= 0) closeSync(dataFd);
  }
  return {
    onnxPath,
    externalDataPath: anyExternal ? dataPath : undefined,
    onnxSizeBytes: statSync(onnxPath).size,
    externalDataSizeBytes: anyExternal ? dataOffset : 0,
  };
}

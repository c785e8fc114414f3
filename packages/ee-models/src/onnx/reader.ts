/**
 * Read float32 initializers back out of an ONNX model file — embedded (`raw_data` / `float_data`) or
 * external (`data_location = EXTERNAL`, `location`/`offset`/`length` beside model.onnx). This is what
 * an attacker holding the encrypted folder can do; the threat analysis (`ee attack`) uses it.
 */
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Tensor } from "ee-core";
import pkg from "onnx-proto";

const { onnx } = pkg;

/** Little-endian float32 copy of `bytes` (an aligned copy, whatever the source offset). */
function f32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Positioned read of `length` bytes at `offset` of `path`. */
function readRange(path: string, offset: number, length: number): Uint8Array {
  const buf = Buffer.allocUnsafe(length);
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new Error(`${path}: external data ends at byte ${offset + done}, expected ${offset + length}`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/**
 * The named float32 initializers of `onnxPath` as ee-core tensors (dtype F32). Throws, naming the file,
 * when a name is missing or not float32.
 */
export function readOnnxInitializers(onnxPath: string, names: readonly string[]): Map<string, Tensor> {
  const model = onnx.ModelProto.decode(readFileSync(onnxPath));
  const wanted = new Set(names);
  const out = new Map<string, Tensor>();
  for (const init of model.graph?.initializer ?? []) {
    const name = init.name ?? "";
    if (!wanted.has(name)) continue;
    if (init.dataType !== onnx.TensorProto.DataType.FLOAT) {
      throw new Error(`${onnxPath}: initializer ${name} is not float32 (data type ${init.dataType})`);
    }
    const shape = (init.dims ?? []).map(Number);
    let data: Float32Array;
    if (init.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      const entry = new Map((init.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
      const location = entry.get("location");
      if (!location) throw new Error(`${onnxPath}: initializer ${name} is external but names no location`);
      data = f32(readRange(join(dirname(onnxPath), location), Number(entry.get("offset") ?? 0), Number(entry.get("length"))));
    } else if (init.rawData && init.rawData.length > 0) {
      data = f32(init.rawData);
    } else {
      data = Float32Array.from(init.floatData ?? []);
    }
    const numel = shape.reduce((a, b) => a * b, 1);
    if (data.length !== numel) {
      throw new Error(`${onnxPath}: initializer ${name} holds ${data.length} values for shape [${shape.join(", ")}]`);
    }
    out.set(name, { dtype: "F32", shape, data });
  }
  const missing = names.filter((n) => !out.has(n));
  if (missing.length > 0) throw new Error(`${onnxPath}: no float32 initializer named ${missing.join(", ")}`);
  return out;
}

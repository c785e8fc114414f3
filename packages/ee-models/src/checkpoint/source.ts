/**
 * A checkpoint folder as a source of named tensors, whatever its file format:
 * `model.safetensors.index.json` + shards, `model.safetensors`, or PyTorch's `pytorch_model.bin`
 * (zip format, read without executing any pickle code; see `pytorch/`).
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import {
  bfloat16ToFloat32,
  DTYPE_SIZE_BYTES,
  type DType,
  halfToFloat32,
  openShardedSafetensors,
  SAFETENSORS_INDEX_FILE,
  SAFETENSORS_SINGLE_FILE,
  type SafetensorsReader,
  type Tensor,
} from "ee-core";
import { openPytorchCheckpoint, PYTORCH_SINGLE_FILE } from "./pytorch/reader.js";

/** Named tensors read on demand. */
export interface TensorSource {
  /** The file or folder read (path). */
  readonly path: string;
  /** Tensor names in file order. */
  names(): string[];
  /** Dtype and shape of one tensor (no data read). */
  info(name: string): { dtype: DType; shape: number[] };
  /** One tensor; F16/BF16 are widened to Float32Array data and keep their dtype label. */
  read(name: string): Tensor;
  /** Elements `[elementOffset, elementOffset + count)` of a floating-point tensor (row-major), as float32. */
  readRange(name: string, elementOffset: number, count: number): Float32Array;
  /** Release file descriptors. */
  close(): void;
}

/** Open the checkpoint in `dir` (safetensors preferred, as HF does); errors name the folder. */
export function openCheckpointSource(dir: string): TensorSource {
  const hasSafetensors = [SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE].some((f) =>
    existsSync(join(dir, f)),
  );
  if (!hasSafetensors && existsSync(join(dir, PYTORCH_SINGLE_FILE)))
    return openPytorchCheckpoint(join(dir, PYTORCH_SINGLE_FILE));
  if (!hasSafetensors) {
    throw new Error(
      `checkpoint ${dir}: neither ${SAFETENSORS_INDEX_FILE} nor ${SAFETENSORS_SINGLE_FILE} found (nor ${PYTORCH_SINGLE_FILE})`,
    );
  }
  return new SafetensorsSource(openShardedSafetensors(dir));
}

/** Raw little-endian bytes of `dtype` → float32 (F16/BF16 widened exactly, F64 rounded). */
export function decodeFloats(raw: Uint8Array, dtype: DType, where: string): Float32Array {
  const n = raw.length / DTYPE_SIZE_BYTES[dtype];
  const aligned = new Uint8Array(raw.length);
  aligned.set(raw);
  switch (dtype) {
    case "F32":
      return new Float32Array(aligned.buffer);
    case "F64":
      return Float32Array.from(new Float64Array(aligned.buffer));
    case "F16":
    case "BF16": {
      const out = new Float32Array(n);
      if (dtype === "F16") halfToFloat32(new Uint16Array(aligned.buffer), out);
      else bfloat16ToFloat32(new Uint16Array(aligned.buffer), out);
      return out;
    }
    default:
      throw new Error(`${where}: dtype ${dtype} is not floating point`);
  }
}

/** A safetensors checkpoint with row-range reads (positioned reads inside the tensor's bytes). */
class SafetensorsSource implements TensorSource {
  readonly path: string;
  constructor(private readonly reader: SafetensorsReader) {
    this.path = reader.path;
  }
  names(): string[] {
    return this.reader.names();
  }
  info(name: string): { dtype: DType; shape: number[] } {
    const i = this.reader.info(name);
    return { dtype: i.dtype, shape: i.shape };
  }
  read(name: string): Tensor {
    return this.reader.read(name);
  }
  readRange(name: string, elementOffset: number, count: number): Float32Array {
    const i = this.reader.info(name);
    const el = DTYPE_SIZE_BYTES[i.dtype];
    if (elementOffset < 0 || (elementOffset + count) * el > i.sizeBytes)
      throw new Error(`safetensors ${i.path}: range [${elementOffset}, +${count}) outside tensor "${name}"`);
    const raw = new Uint8Array(count * el);
    const fd = openSync(i.path, "r");
    try {
      let done = 0;
      while (done < raw.length) {
        const got = readSync(
          fd,
          raw,
          done,
          Math.min(raw.length - done, 1 << 30),
          i.byteOffset + elementOffset * el + done,
        );
        if (got === 0)
          throw new Error(`safetensors ${i.path}: truncated data: file ended while reading "${name}"`);
        done += got;
      }
    } finally {
      closeSync(fd);
    }
    return decodeFloats(raw, i.dtype, `safetensors ${i.path}: tensor "${name}"`);
  }
  close(): void {
    this.reader.close();
  }
}

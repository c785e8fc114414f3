/**
 * PyTorch's zip checkpoint (`torch.save` since 1.6, e.g. `pytorch_model.bin`) as a tensor source:
 * `<root>/data.pkl` (the state dict, read by the restricted unpickler), `<root>/data/<key>` (raw
 * little-endian storages), `<root>/byteorder` (when present, must say `little`). Tensors are contiguous
 * views into storages (shared storages and offsets included); a non-contiguous view is refused.
 */
import { bfloat16ToFloat32, type DType, halfToFloat32, numElements, type Tensor } from "ee-core";
import { decodeFloats, type TensorSource } from "../source.js";
import { STORAGE_TYPES, type TensorRef, unpickleStateDict } from "./unpickle.js";
import { ZipArchive } from "./zip.js";

/** File name of a single-file PyTorch checkpoint in a HF folder. */
export const PYTORCH_SINGLE_FILE = "pytorch_model.bin";

/** Row-major strides of `shape` (elements). */
function contiguousStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function isContiguous(t: TensorRef): boolean {
  const want = contiguousStrides(t.shape);
  return t.shape.every((d, i) => d === 1 || t.stride[i] === want[i]);
}

class PytorchSource implements TensorSource {
  readonly path: string;
  private readonly zip: ZipArchive;
  private readonly root: string;
  private readonly tensors: Map<string, TensorRef>;

  constructor(path: string) {
    this.path = path;
    this.zip = new ZipArchive(path);
    try {
      const pkl = this.zip.names().filter((n) => /^[^/]+\/data\.pkl$/.test(n));
      if (pkl.length !== 1)
        throw new Error(
          `${path}: not a PyTorch zip checkpoint (expected one <root>/data.pkl, found ${pkl.length})`,
        );
      this.root = pkl[0].slice(0, -"data.pkl".length);
      const order = this.zip.entry(`${this.root}byteorder`);
      if (order !== undefined) {
        const text = this.zip.readAt(order.dataOffset, order.size).toString("utf8").trim();
        if (text !== "little")
          throw new Error(`${path}: byteorder is '${text}'; only little-endian checkpoints are read`);
      }
      const e = this.zip.entry(pkl[0]);
      if (e === undefined) throw new Error(`${path}: data.pkl vanished`);
      this.tensors = unpickleStateDict(this.zip.readAt(e.dataOffset, e.size), `${path} (${pkl[0]})`);
      for (const [name, t] of this.tensors) this.check(name, t);
    } catch (err) {
      this.zip.close();
      throw err;
    }
  }

  private check(name: string, t: TensorRef): void {
    const where = `${this.path}: tensor ${name}`;
    if (t.shape.length !== t.stride.length) throw new Error(`${where}: size and stride differ in rank`);
    if (!isContiguous(t))
      throw new Error(
        `${where}: non-contiguous view (size [${t.shape.join(", ")}], stride [${t.stride.join(", ")}]) is not supported; save t.contiguous()`,
      );
    const member = this.zip.entry(`${this.root}data/${t.storage.key}`);
    if (member === undefined)
      throw new Error(`${where}: storage data/${t.storage.key} is missing from the archive`);
    const el = STORAGE_TYPES[t.storage.type].bytes;
    if (member.size < t.storage.numel * el)
      throw new Error(
        `${where}: storage data/${t.storage.key} holds ${member.size} bytes, needs ${t.storage.numel * el}`,
      );
    if (t.offset < 0 || t.offset + numElements(t.shape) > t.storage.numel)
      throw new Error(
        `${where}: view [${t.offset}, +${numElements(t.shape)}) runs past its storage of ${t.storage.numel} elements`,
      );
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  private ref(name: string): TensorRef {
    const t = this.tensors.get(name);
    if (t === undefined) throw new Error(`${this.path}: no tensor named "${name}"`);
    return t;
  }

  info(name: string): { dtype: DType; shape: number[] } {
    const t = this.ref(name);
    return { dtype: STORAGE_TYPES[t.storage.type].dtype, shape: t.shape.slice() };
  }

  read(name: string): Tensor {
    const t = this.ref(name);
    const { dtype, bytes: el } = STORAGE_TYPES[t.storage.type];
    const member = this.zip.entry(`${this.root}data/${t.storage.key}`);
    if (member === undefined) throw new Error(`${this.path}: storage of ${name} is missing`);
    const n = numElements(t.shape);
    const raw = this.zip.readAt(member.dataOffset + t.offset * el, n * el);
    const aligned = new Uint8Array(n * el); // a fresh, aligned buffer for the typed views
    aligned.set(raw);
    const shape = t.shape.slice();
    switch (dtype) {
      case "F32":
        return { dtype, shape, data: new Float32Array(aligned.buffer) };
      case "F64":
        return { dtype, shape, data: new Float64Array(aligned.buffer) };
      case "I64":
        return { dtype, shape, data: new BigInt64Array(aligned.buffer) };
      case "I32":
        return { dtype, shape, data: new Int32Array(aligned.buffer) };
      case "F16":
      case "BF16": {
        const data = new Float32Array(n);
        const half = new Uint16Array(aligned.buffer);
        if (dtype === "F16") halfToFloat32(half, data);
        else bfloat16ToFloat32(half, data);
        return { dtype, shape, data };
      }
    }
  }

  readRange(name: string, elementOffset: number, count: number): Float32Array {
    const t = this.ref(name);
    const { dtype, bytes: el } = STORAGE_TYPES[t.storage.type];
    if (elementOffset < 0 || elementOffset + count > numElements(t.shape))
      throw new Error(`${this.path}: range [${elementOffset}, +${count}) outside tensor ${name}`);
    const member = this.zip.entry(`${this.root}data/${t.storage.key}`);
    if (member === undefined) throw new Error(`${this.path}: storage of ${name} is missing`);
    const raw = this.zip.readAt(member.dataOffset + (t.offset + elementOffset) * el, count * el);
    return decodeFloats(raw, dtype, `${this.path}: tensor ${name}`);
  }

  close(): void {
    this.zip.close();
  }
}

/** Open a PyTorch zip checkpoint file; the pickle is interpreted (never executed) now. */
export function openPytorchCheckpoint(path: string): TensorSource {
  return new PytorchSource(path);
}

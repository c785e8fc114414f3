/**
 * A streaming writer of Hugging Face safetensors checkpoints: the tensors' names, dtypes and shapes are
 * planned up front (so every header and shard boundary is known), then each tensor is written at its
 * offset as soon as it exists, in any order, and can be dropped. Above `maxShardBytes` the checkpoint
 * is sharded as `model-0000k-of-0000N.safetensors` with `model.safetensors.index.json`, as
 * `save_pretrained` does (its default shard limit is 5 GB). Files appear (renamed from temporaries)
 * only when every planned tensor was written.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  DTYPE_SIZE_BYTES,
  type DType,
  encodeSafetensorsLayout,
  forEachTensorChunk,
  numElements,
  SAFETENSORS_INDEX_FILE,
  SAFETENSORS_SINGLE_FILE,
  type Tensor,
} from "ee-core";

/** One tensor of the plan. */
export interface PlannedTensor {
  /** HF name. */
  name: string;
  /** Dtype on disk. */
  dtype: DType;
  /** Shape (elements per axis). */
  shape: number[];
}

/** `save_pretrained`'s default shard limit (bytes). */
export const HF_MAX_SHARD_BYTES = 5_000_000_000;

interface Slot {
  shard: number;
  /** Absolute file position of the tensor's data (bytes). */
  pos: number;
  planned: PlannedTensor;
  /** Elements written so far (elements). */
  elementsWritten: number;
  written: boolean;
}

interface Shard {
  file: string;
  tmp: string;
  fd: number;
}

/** `t`'s data in the typed array its planned dtype needs (a copy only when the element type differs). */
function asDtype(t: Tensor, dtype: DType, name: string): Tensor {
  const d = t.data;
  const wide = dtype === "F64";
  if (dtype === "F32" || dtype === "F16" || dtype === "BF16" || wide) {
    if (!(d instanceof Float32Array || d instanceof Float64Array))
      throw new Error(`checkpoint writer: tensor ${name} is not floating point`);
    if (wide) return { dtype, shape: t.shape, data: d instanceof Float64Array ? d : Float64Array.from(d) };
    return { dtype, shape: t.shape, data: d instanceof Float32Array ? d : Float32Array.from(d) };
  }
  if (t.dtype !== dtype) throw new Error(`checkpoint writer: tensor ${name} is ${t.dtype}, planned ${dtype}`);
  return t;
}

/** See the module comment. */
export class CheckpointWriter {
  private readonly slots = new Map<string, Slot>();
  private readonly shards: Shard[] = [];
  private readonly totalBytes: number;
  private done = false;

  constructor(
    readonly dir: string,
    planned: PlannedTensor[],
    maxShardBytes = HF_MAX_SHARD_BYTES,
  ) {
    const groups: PlannedTensor[][] = [[]];
    let size = 0;
    let total = 0;
    for (const t of planned) {
      if (this.slots.has(t.name)) throw new Error(`checkpoint writer: tensor ${t.name} planned twice`);
      const bytes = numElements(t.shape) * DTYPE_SIZE_BYTES[t.dtype];
      if (size > 0 && size + bytes > maxShardBytes) {
        groups.push([]);
        size = 0;
      }
      groups[groups.length - 1].push(t);
      this.slots.set(t.name, {
        shard: groups.length - 1,
        pos: 0,
        planned: t,
        elementsWritten: 0,
        written: false,
      });
      size += bytes;
      total += bytes;
    }
    this.totalBytes = total;
    const n = groups.length;
    const pad = (k: number) => String(k).padStart(5, "0");
    try {
      groups.forEach((group, k) => {
        const file = n === 1 ? SAFETENSORS_SINGLE_FILE : `model-${pad(k + 1)}-of-${pad(n)}.safetensors`;
        const tmp = join(dir, `.${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
        const fd = openSync(tmp, "wx", 0o644);
        this.shards.push({ file, tmp, fd });
        const header = encodeSafetensorsLayout(
          group.map((t) => [t.name, t] as const),
          { format: "pt" },
        );
        writeAll(fd, header, 0);
        let pos = header.length;
        for (const t of group) {
          (this.slots.get(t.name) as Slot).pos = pos;
          pos += numElements(t.shape) * DTYPE_SIZE_BYTES[t.dtype];
        }
      });
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Write tensor `name` (its planned shape; data converted to the planned dtype). */
  write(name: string, t: Tensor): void {
    const slot = this.slot(name);
    const want = slot.planned.shape;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i]))
      throw new Error(`checkpoint writer: tensor ${name} has shape [${t.shape}], planned [${want}]`);
    this.writePart(name, 0, t.data as Float32Array | Float64Array);
  }

  /**
   * Write elements `[elementOffset, elementOffset + data.length)` of floating-point tensor `name`
   * (row-major), so a large tensor can be produced block by block. Parts must not overlap; the tensor
   * counts as written once all its elements are.
   */
  writePart(name: string, elementOffset: number, data: Float32Array | Float64Array): void {
    const slot = this.slot(name);
    const n = numElements(slot.planned.shape);
    if (elementOffset < 0 || elementOffset + data.length > n)
      throw new Error(
        `checkpoint writer: part [${elementOffset}, +${data.length}) is outside tensor ${name} (${n} elements)`,
      );
    const el = DTYPE_SIZE_BYTES[slot.planned.dtype];
    const fd = this.shards[slot.shard].fd;
    let pos = slot.pos + elementOffset * el;
    const part: Tensor = { dtype: slot.planned.dtype, shape: [data.length], data };
    forEachTensorChunk(asDtype(part, slot.planned.dtype, name), (bytes) => {
      writeAll(fd, bytes, pos);
      pos += bytes.length;
    });
    slot.elementsWritten += data.length;
    if (slot.elementsWritten === n) slot.written = true;
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new Error(`checkpoint writer: tensor ${name} was not planned`);
    if (slot.written) throw new Error(`checkpoint writer: tensor ${name} written twice`);
    return slot;
  }

  /** Check that every planned tensor was written, then publish the files; returns their names. */
  finish(): string[] {
    const missing = [...this.slots.values()].filter((s) => !s.written).map((s) => s.planned.name);
    if (missing.length > 0) {
      this.abort();
      throw new Error(
        `checkpoint writer: ${missing.length} planned tensors never written (${missing.slice(0, 3).join(", ")})`,
      );
    }
    for (const s of this.shards) {
      fsyncSync(s.fd);
      closeSync(s.fd);
      renameSync(s.tmp, join(this.dir, s.file));
    }
    this.done = true;
    const files = this.shards.map((s) => s.file);
    if (this.shards.length > 1) {
      const weightMap: Record<string, string> = {};
      for (const [name, slot] of this.slots) weightMap[name] = this.shards[slot.shard].file;
      writeFileSync(
        join(this.dir, SAFETENSORS_INDEX_FILE),
        `${JSON.stringify({ metadata: { total_size: this.totalBytes }, weight_map: weightMap }, null, 2)}\n`,
      );
      files.push(SAFETENSORS_INDEX_FILE);
    }
    return files;
  }

  /** Close and delete the temporaries (after an error). */
  abort(): void {
    if (this.done) return;
    for (const s of this.shards) {
      try {
        closeSync(s.fd);
      } catch {
        // already closed
      }
      rmSync(s.tmp, { force: true });
    }
    this.done = true;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

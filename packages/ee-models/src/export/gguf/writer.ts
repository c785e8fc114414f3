/**
 * Writing a GGUF file: header, metadata, tensor infos, then the tensor data one tensor at a time (each
 * tensor's bytes are produced on demand, so a model is never held twice in memory).
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION } from "./format.js";
import { ByteSink, type GgufMetadata, writeValue } from "./metadata.js";
import { ggmlTensorBytes } from "./tensor-types.js";

/** One tensor to write. */
export interface GgufTensorSpec {
  /** GGUF tensor name, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** Dims, innermost (contiguous) first, as ggml's `ne` (elements per axis). */
  readonly ne: readonly number[];
  /** ggml type code (code). */
  readonly typeCode: number;
  /** Produces the tensor's bytes (called once, in file order); length must match the type and dims. */
  readonly data: () => Uint8Array;
}

/** What `writeGguf` wrote. */
export interface GgufWriteResult {
  /** Bytes of header, metadata and tensor infos before the data section (bytes). */
  readonly headerBytes: number;
  /** Total file size (bytes). */
  readonly fileBytes: number;
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Write `tensors` with `metadata` to `path` (created or truncated). Alignment is the default 32 bytes. */
export function writeGguf(
  path: string,
  metadata: GgufMetadata,
  tensors: readonly GgufTensorSpec[],
): GgufWriteResult {
  const align = GGUF_DEFAULT_ALIGNMENT;
  const names = new Set<string>();
  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(tensors.length);
  head.u64(metadata.length);
  for (const [key, value] of metadata) {
    head.string(key);
    writeValue(head, value);
  }
  const sizes: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`gguf: tensor ${t.name} written twice`);
    names.add(t.name);
    const bytes = ggmlTensorBytes(t.typeCode, t.ne, `gguf tensor ${t.name}`);
    sizes.push(bytes);
    head.string(t.name);
    head.u32(t.ne.length);
    for (const n of t.ne) head.u64(n);
    head.u32(t.typeCode);
    head.u64(offset);
    offset = roundUp(offset + bytes, align);
  }
  head.pad(align);
  const headerBytes = head.length;
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head.result());
    let written = 0;
    const zeros = new Uint8Array(align);
    tensors.forEach((t, i) => {
      const b = t.data();
      if (b.length !== sizes[i])
        throw new Error(`gguf: tensor ${t.name} produced ${b.length} bytes, expected ${sizes[i]}`);
      writeSync(fd, b);
      written += b.length;
      const pad = roundUp(written, align) - written;
      if (pad > 0) writeSync(fd, zeros, 0, pad);
      written += pad;
    });
    return { headerBytes, fileBytes: headerBytes + written };
  } finally {
    closeSync(fd);
  }
}

/**
 * Load a Hugging Face safetensors checkpoint (`model.safetensors`, or a sharded
 * `model.safetensors.index.json`) as an F32 StateDict for an architecture and config.
 *
 * Names and shapes are checked against `arch.tensorShapes(cfg)` from the headers BEFORE any data is
 * read; missing, unexpected and mis-shaped tensors are reported together in one error that names
 * the directory. F16/BF16/F64 data is converted to F32.
 */
import { openShardedSafetensors, type StateDict, type Tensor } from "ee-core";
import type { Architecture, ModelConfig } from "./types.js";

/** Non-parameter buffers some HF checkpoints carry; HF ignores them on load and so do we. */
const IGNORED_BUFFERS: readonly RegExp[] = [/\.position_ids$/, /\.rotary_emb\.inv_freq$/, /\.masked_bias$/];

/** How many names of each kind an error message lists before "… and N more". */
const LIST_MAX = 5;

function listSome(kind: string, items: string[]): string {
  if (items.length === 0) return "";
  const more = items.length > LIST_MAX ? ` … and ${items.length - LIST_MAX} more` : "";
  return `${items.length} ${kind}: ${items.slice(0, LIST_MAX).join(", ")}${more}`;
}

/** F32 copy (or the same tensor when already F32) of a floating-point checkpoint tensor. */
function toF32(t: Tensor, name: string, dir: string): Tensor {
  if (t.data instanceof Float32Array) return { dtype: "F32", shape: t.shape, data: t.data };
  if (t.data instanceof Float64Array)
    return { dtype: "F32", shape: t.shape, data: Float32Array.from(t.data) };
  throw new Error(
    `checkpoint ${dir}: tensor ${name} has dtype ${t.dtype}; expected a floating-point type (F32, F16, BF16, F64)`,
  );
}

/** Load and validate the checkpoint in `dir` for `arch` with `cfg`. */
export function loadCheckpoint<C extends ModelConfig>(dir: string, arch: Architecture<C>, cfg: C): StateDict {
  const reader = openShardedSafetensors(dir);
  try {
    const expected = arch.tensorShapes(cfg);
    const present = new Set(reader.names());
    const missing = [...expected.keys()].filter((n) => !present.has(n));
    const unexpected = [...present].filter(
      (n) => !expected.has(n) && !IGNORED_BUFFERS.some((re) => re.test(n)),
    );
    const misShaped: string[] = [];
    for (const [name, shape] of expected) {
      if (!present.has(name)) continue;
      const got = reader.info(name).shape;
      if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
        misShaped.push(`${name} [${got.join(", ")}] (expected [${shape.join(", ")}])`);
    }
    if (missing.length + unexpected.length + misShaped.length > 0) {
      const parts = [
        listSome("missing", missing),
        listSome("unexpected", unexpected),
        listSome("mis-shaped", misShaped),
      ].filter((s) => s);
      throw new Error(`checkpoint ${dir} does not fit ${arch.hfClass} with this config: ${parts.join("; ")}`);
    }
    const sd: StateDict = new Map();
    for (const name of expected.keys()) sd.set(name, toF32(reader.read(name), name, dir));
    return sd;
  } finally {
    reader.close();
  }
}

/**
 * Load a Hugging Face checkpoint folder (safetensors, sharded safetensors, or PyTorch's
 * `pytorch_model.bin`) as a StateDict for an architecture and config, the way HF's own classes load it
 * (`checkpoint/hf-names.ts`): names and shapes are checked from the headers BEFORE any data is read;
 * tensors HF ignores are skipped with one warning line; every tensor must be finite.
 *
 * By default data is widened to F32 (dtype `F32`); `keepDtype` keeps the source's dtype label
 * (F16/BF16 data is still held as Float32Array, narrowed again only when written).
 */
import { assertFiniteTensors, type StateDict, type Tensor } from "ee-core";
import { type CheckpointPlan, planCheckpoint, planWarning } from "./checkpoint/plan.js";
import { openCheckpointSource, type TensorSource } from "./checkpoint/source.js";
import type { Architecture, ModelConfig } from "./types.js";

/** Options of `loadCheckpoint` / `openCheckpoint`. */
export interface LoadCheckpointOptions {
  /** Keep F16/BF16/F64 dtype labels instead of relabelling as F32 (default false). */
  keepDtype?: boolean;
  /** Where the one warning line goes (default `console.warn`). */
  warn?: (message: string) => void;
}

/** An opened, planned checkpoint: tensors are read one at a time. */
export interface OpenCheckpoint {
  /** The plan (expected name → source name, ignored names). */
  plan: CheckpointPlan;
  /** Source dtype of an expected tensor. */
  dtype(name: string): Tensor["dtype"];
  /** Read one expected tensor (finite-checked). */
  read(name: string): Tensor;
  /** Elements `[elementOffset, elementOffset + count)` of an expected tensor as float32 (finite-checked). */
  readRange(name: string, elementOffset: number, count: number): Float32Array;
  /** Close the files. */
  close(): void;
}

/** Throws naming the checkpoint, the tensor and the first bad position when `t` holds a NaN or an infinity. */
export function checkFinite(t: Tensor, name: string, dir: string): void {
  assertFiniteTensors([[name, t]], `checkpoint ${dir}`);
}

function convert(t: Tensor, name: string, dir: string, keepDtype: boolean): Tensor {
  if (t.data instanceof Float32Array)
    return { dtype: keepDtype ? t.dtype : "F32", shape: t.shape, data: t.data };
  if (t.data instanceof Float64Array)
    return keepDtype ? t : { dtype: "F32", shape: t.shape, data: Float32Array.from(t.data) };
  throw new Error(
    `checkpoint ${dir}: tensor ${name} has dtype ${t.dtype}; expected a floating-point type (F32, F16, BF16, F64)`,
  );
}

/** Open and plan the checkpoint in `dir` for `arch`/`cfg` (prints the warning line, if any). */
export function openCheckpoint<C extends ModelConfig>(
  dir: string,
  arch: Architecture<C>,
  cfg: C,
  opts: LoadCheckpointOptions = {},
): OpenCheckpoint {
  const source: TensorSource = openCheckpointSource(dir);
  let plan: CheckpointPlan;
  try {
    plan = planCheckpoint(source, dir, arch, cfg);
  } catch (e) {
    source.close();
    throw e;
  }
  const warning = planWarning(plan, dir, arch.hfClass);
  if (warning !== undefined) (opts.warn ?? ((m: string) => console.warn(m)))(warning);
  const srcName = (name: string): string => {
    const s = plan.sources.get(name);
    if (s === undefined) throw new Error(`checkpoint ${dir}: ${arch.hfClass} has no tensor ${name}`);
    return s;
  };
  return {
    plan,
    dtype: (name) => source.info(srcName(name)).dtype,
    read: (name) => {
      const t = convert(source.read(srcName(name)), name, dir, opts.keepDtype ?? false);
      checkFinite(t, name, dir);
      return t;
    },
    readRange: (name, elementOffset, count) => {
      const data = source.readRange(srcName(name), elementOffset, count);
      checkFinite({ dtype: "F32", shape: [count], data }, name, dir);
      return data;
    },
    close: () => source.close(),
  };
}

/** Load and validate the whole checkpoint in `dir` for `arch` with `cfg`. */
export function loadCheckpoint<C extends ModelConfig>(
  dir: string,
  arch: Architecture<C>,
  cfg: C,
  opts: LoadCheckpointOptions = {},
): StateDict {
  const ckpt = openCheckpoint(dir, arch, cfg, opts);
  try {
    const sd: StateDict = new Map();
    for (const name of ckpt.plan.sources.keys()) sd.set(name, ckpt.read(name));
    return sd;
  } finally {
    ckpt.close();
  }
}

/**
 * The checkpoint in `dir` as a StateDict whose tensors read their data when `data` is accessed (widened
 * to F32, finite-checked); only the tensor read last is kept (repeated accesses to it read nothing), so
 * a consumer that touches one tensor at a time — the ONNX builder produces initializers one by one at
 * save time — holds one tensor, not the model.
 * Names and shapes come from the headers, checked by the plan before any data is read. `close` when done.
 */
export function lazyCheckpoint<C extends ModelConfig>(
  dir: string,
  arch: Architecture<C>,
  cfg: C,
  opts: LoadCheckpointOptions = {},
): { weights: StateDict; close(): void } {
  const ckpt = openCheckpoint(dir, arch, cfg, { ...opts, keepDtype: false });
  const weights: StateDict = new Map();
  const shapes = arch.tensorShapes(cfg);
  let last: { name: string; data: Tensor["data"] } | null = null;
  const read = (name: string): Tensor["data"] => {
    if (last?.name !== name) {
      last = null; // let the previous tensor go before reading the next
      last = { name, data: ckpt.read(name).data };
    }
    return last.data;
  };
  for (const name of ckpt.plan.sources.keys()) {
    const shape = shapes.get(name);
    if (shape === undefined) throw new Error(`checkpoint ${dir}: ${arch.hfClass} has no tensor ${name}`);
    weights.set(
      name,
      Object.defineProperty({ dtype: "F32", shape: [...shape] } as unknown as Tensor, "data", {
        enumerable: true,
        get: () => read(name),
      }),
    );
  }
  return {
    weights,
    close: () => {
      last = null;
      ckpt.close();
    },
  };
}

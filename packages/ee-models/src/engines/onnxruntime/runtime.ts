/**
 * The onnxruntime runtime: sessions, tensors, version and execution providers. Only the files of this
 * folder (`engines/onnxruntime/`) import onnxruntime-node.
 *
 * - `createSession(pathOrBytes, { device })`: CPU by default; `cuda` requests the CUDA execution
 *   provider and fails with a clear message when this onnxruntime-node build does not have it.
 * - tensor helpers (`tensorF32`, `tensorI64`) for this folder's session wrappers.
 * - `ortVersion()` for environment reports.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { EngineDevice } from "../engine.js";

/** Options of `createSession`: onnxruntime's own settings. */
export interface SessionOptions {
  /** Execution provider: `"cpu"` (default) or `"cuda"` (error when onnxruntime-node lacks it). */
  device?: EngineDevice;
  /** Threads inside one op (threads); default: onnxruntime's choice (all physical cores). */
  intraOpThreads?: number;
  /** Threads across independent ops (threads); default 1 (sequential execution). */
  interOpThreads?: number;
  /** onnxruntime graph optimisation level; default `"all"`. */
  graphOptimizationLevel?: "disabled" | "basic" | "extended" | "all";
  /**
   * Let idle intra-op worker threads spin-wait for work (flag); default: onnxruntime's (true). Turn it
   * off when several sessions take turns on few cores: an idle session's spinning workers steal cores
   * from the running one (measured: −18 % A/A bias between two Llama sessions on 2 cores).
   */
  allowSpinning?: boolean;
  /**
   * Keep freed buffers in onnxruntime's CPU arena for reuse (flag); default true. Off for the offline
   * products of encryption, whose large outputs of varying shapes would otherwise stay resident.
   */
  memArena?: boolean;
}

/** An onnxruntime inference session. */
export type OrtSession = ort.InferenceSession;
/** An onnxruntime tensor (inputs and outputs of `OrtSession.run`). */
export type OrtTensor = ort.Tensor;
/** Feeds / fetches of `OrtSession.run`, by value name. */
export type OrtValueMap = Record<string, ort.Tensor>;

/** onnxruntime-node version, e.g. `"1.30.0"`. */
export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** Execution providers this onnxruntime-node build lists (`bundled: false` ones need extra libraries). */
export function listBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Directory holding onnxruntime-node's native binding for this platform, when found. */
function nativeDir(): string | undefined {
  const pkgDir = dirname(dirname(createRequire(import.meta.url).resolve("onnxruntime-node")));
  const bin = join(pkgDir, "bin");
  if (!existsSync(bin)) return undefined;
  for (const napi of readdirSync(bin)) {
    const d = join(bin, napi, process.platform, process.arch);
    if (existsSync(d)) return d;
  }
  return undefined;
}

/** Message for a missing CUDA execution provider. */
export function cudaUnavailableMessage(detail: string): string {
  return (
    `device cuda: onnxruntime-node ${ortVersion()} has no CUDA execution provider on this machine (${detail}); ` +
    "reinstall it with CUDA support (ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node, with CUDA 12 and cuDNN 9 " +
    'installed) or use device "cpu"'
  );
}

/** Why the CUDA provider cannot run here (its library is absent), or undefined when it is installed. */
export function cudaMissingDetail(): string | undefined {
  const dir = nativeDir();
  const lib = dir ? join(dir, "libonnxruntime_providers_cuda.so") : undefined;
  return !lib || !existsSync(lib) ? `${lib ?? "the native binding folder"} not found` : undefined;
}

/** Throws the clear CUDA error when the CUDA provider library is absent. */
function assertCudaAvailable(): void {
  const detail = cudaMissingDetail();
  if (detail !== undefined) throw new Error(cudaUnavailableMessage(detail));
}

/** onnxruntime session options for our `SessionOptions`. */
export function ortOptions(device: EngineDevice, opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: device === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? "all",
    interOpNumThreads: opts.interOpThreads ?? 1,
    executionMode: "sequential",
  };
  if (opts.intraOpThreads !== undefined) o.intraOpNumThreads = opts.intraOpThreads;
  if (opts.memArena !== undefined) o.enableCpuMemArena = opts.memArena;
  if (opts.allowSpinning !== undefined) {
    o.extra = { session: { intra_op: { allow_spinning: opts.allowSpinning ? "1" : "0" } } };
  }
  return o;
}

/**
 * Open an ONNX model. Models with external data must be opened by path (onnxruntime resolves
 * `model.onnx_data` beside the file).
 */
export async function createSession(
  pathOrBytes: string | Uint8Array,
  opts: SessionOptions = {},
): Promise<OrtSession> {
  const device = opts.device ?? "cpu";
  if (device !== "cpu" && device !== "cuda")
    throw new Error(`device ${String(device)}: expected "cpu" or "cuda"`);
  if (device === "cuda") assertCudaAvailable();
  const where = typeof pathOrBytes === "string" ? pathOrBytes : `<${pathOrBytes.byteLength} bytes>`;
  if (typeof pathOrBytes === "string" && !existsSync(pathOrBytes))
    throw new Error(`${where}: ONNX model file not found`);
  try {
    return typeof pathOrBytes === "string"
      ? await ort.InferenceSession.create(pathOrBytes, ortOptions(device, opts))
      : await ort.InferenceSession.create(pathOrBytes, ortOptions(device, opts));
  } catch (e) {
    const msg = (e as Error).message;
    if (device === "cuda") throw new Error(cudaUnavailableMessage(msg));
    throw new Error(`${where}: onnxruntime could not load the model: ${msg}`);
  }
}

// ---- tensors -------------------------------------------------------------------------------------

/** A float32 onnxruntime tensor over `data` (no copy). */
export function tensorF32(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor("float32", data, dims);
}

/** An int64 onnxruntime tensor over `data` (no copy). */
export function tensorI64(data: BigInt64Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor("int64", data, dims);
}

/** An int64 tensor from plain numbers (copies). */
export function tensorI64From(values: ArrayLike<number>, dims: readonly number[]): OrtTensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return tensorI64(data, dims);
}

/** The float32 data of an output tensor (throws naming `name` when it is missing or not float32). */
export function outputF32(out: OrtValueMap, name: string): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`session output ${name}: missing (outputs: ${Object.keys(out).join(", ")})`);
  if (t.type !== "float32") throw new Error(`session output ${name}: expected float32, got ${t.type}`);
  return t.data as Float32Array;
}

/**
 * The onnxruntime backend: the ONLY module of ee-models that imports onnxruntime-node.
 *
 * - `createSession(pathOrBytes, { device })`: CPU by default; `cuda` requests the CUDA execution
 *   provider and fails with a clear message when this onnxruntime-node build does not have it.
 * - tensor helpers (`tensorF32`, `tensorI64`) so callers never import onnxruntime themselves.
 * - `matmulF32(a, b, m, k, n)`: a one-node MatMul graph for large offline products (encrypters).
 * - `ortVersion()` for environment reports.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { GraphBuilder } from "../onnx/builder.js";
import { onnx } from "../onnx/proto.js";
import type { Device, SessionOptions } from "../types.js";

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

/** Throws the clear CUDA error when the CUDA provider library is absent. */
function assertCudaAvailable(): void {
  const dir = nativeDir();
  const lib = dir ? join(dir, "libonnxruntime_providers_cuda.so") : undefined;
  if (!lib || !existsSync(lib)) {
    throw new Error(cudaUnavailableMessage(`${lib ?? "the native binding folder"} not found`));
  }
}

/** onnxruntime session options for our `SessionOptions`. */
export function ortOptions(device: Device, opts: SessionOptions): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: device === "cuda" ? ["cuda", "cpu"] : ["cpu"],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? "all",
    interOpNumThreads: opts.interOpThreads ?? 1,
    executionMode: "sequential",
  };
  if (opts.intraOpThreads !== undefined) o.intraOpNumThreads = opts.intraOpThreads;
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

// ---- offline MatMul ------------------------------------------------------------------------------

/** One cached MatMul session per (k, n); rows are a symbolic dimension. */
const matmulSessions = new Map<string, Promise<OrtSession>>();
/** Largest A/C chunk per call (bytes), so huge `m` does not need one giant buffer in ORT. */
const MATMUL_CHUNK_BYTES = 256 << 20;

function matmulModel(k: number, n: number): Uint8Array {
  const g = new GraphBuilder(`matmul_${k}x${n}`);
  const a = g.input("A", "float32", ["M", k]);
  const b = g.input("B", "float32", [k, n]);
  g.output(g.matmul(a, b), "C", "float32", ["M", n]);
  return onnx.ModelProto.encode(g.modelProto()).finish();
}

/** Options of `matmulF32`. */
export interface MatmulOptions {
  /** Largest A or C row block per onnxruntime call (bytes); default 256 MiB. */
  maxChunkBytes?: number;
}

/** `C = A B` for row-major `A [m, k]`, `B [k, n]` in float32, computed by onnxruntime (rows in chunks). */
export async function matmulF32(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: MatmulOptions = {},
): Promise<Float32Array> {
  if (a.length !== m * k) throw new Error(`matmulF32: A has ${a.length} elements, expected m·k = ${m}·${k}`);
  if (b.length !== k * n) throw new Error(`matmulF32: B has ${b.length} elements, expected k·n = ${k}·${n}`);
  const key = `${k}x${n}`;
  let sp = matmulSessions.get(key);
  if (!sp) {
    sp = createSession(matmulModel(k, n));
    matmulSessions.set(key, sp);
  }
  const session = await sp;
  const c = new Float32Array(m * n);
  const rows = Math.max(1, Math.floor((opts.maxChunkBytes ?? MATMUL_CHUNK_BYTES) / (4 * Math.max(k, n))));
  const bt = tensorF32(b, [k, n]);
  for (let r0 = 0; r0 < m; r0 += rows) {
    const r1 = Math.min(m, r0 + rows);
    const out = await session.run({ A: tensorF32(a.subarray(r0 * k, r1 * k), [r1 - r0, k]), B: bt });
    c.set(outputF32(out, "C"), r0 * n);
  }
  return c;
}

/** Release the cached MatMul sessions. */
export async function disposeMatmulSessions(): Promise<void> {
  const all = [...matmulSessions.values()];
  matmulSessions.clear();
  for (const s of all) await (await s).release();
}

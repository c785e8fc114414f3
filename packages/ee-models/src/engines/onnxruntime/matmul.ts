/**
 * `matmulF32`: a one-node onnxruntime MatMul graph for the large dense products of offline encryption
 * (the encrypters call it through `encrypt/matmul.ts`, never onnxruntime itself).
 */
import { GraphBuilder } from "../../onnx/builder.js";
import { onnx } from "../../onnx/proto.js";
import { createSession, type OrtSession, outputF32, tensorF32 } from "./runtime.js";

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

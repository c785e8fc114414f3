/**
 * `matmulF32` and `blockLeftMatmulF32`: one-node onnxruntime MatMul graphs for the large dense products of offline encryption
 * (the encrypters call it through `encrypt/matmul.ts`, never onnxruntime itself).
 */
import { GraphBuilder } from "../../onnx/builder.js";
import { onnx } from "../../onnx/proto.js";
import { createSession, type OrtSession, outputF32, tensorF32 } from "./runtime.js";

/** One cached session per product graph and shape (`matmul:k×n`, `block:p×n`); rows / batch are symbolic. */
const productSessions = new Map<string, Promise<OrtSession>>();

/** The cached session of `key`, created from `model()` on first use (no arena: see `PRODUCT_SESSION`). */
function productSession(key: string, model: () => Uint8Array): Promise<OrtSession> {
  let sp = productSessions.get(key);
  if (!sp) {
    sp = createSession(model(), PRODUCT_SESSION);
    productSessions.set(key, sp);
  }
  return sp;
}
/** Largest A/C chunk per call (bytes), so huge `m` does not need one giant buffer in ORT. */
const MATMUL_CHUNK_BYTES = 64 << 20;
/** Sessions free each call's buffers (no arena): outputs of many shapes would otherwise stay resident. */
const PRODUCT_SESSION = { memArena: false } as const;

function matmulModel(k: number, n: number): Uint8Array {
  const g = new GraphBuilder(`matmul_${k}x${n}`);
  const a = g.input("A", "float32", ["M", k]);
  const b = g.input("B", "float32", [k, n]);
  g.output(g.matmul(a, b), "C", "float32", ["M", n]);
  return onnx.ModelProto.encode(g.modelProto()).finish();
}

/** Options of `matmulF32`. */
export interface MatmulOptions {
  /** Largest A or C row block per onnxruntime call (bytes); default 64 MiB. */
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
  const session = await productSession(`matmul:${k}x${n}`, () => matmulModel(k, n));
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

function blockLeftModel(p: number, n: number): Uint8Array {
  const g = new GraphBuilder(`block_left_${p}x${n}`);
  const l = g.input("L", "float32", [p, p]);
  const x = g.input("X", "float32", ["N", p, n]);
  g.output(g.matmul(l, x), "C", "float32", ["N", p, n]); // MatMul broadcasts L over the batch
  return onnx.ModelProto.encode(g.modelProto()).finish();
}

/**
 * `C[i] = L X[i]` for row-major float32 `L [p, p]` and a batch `X [batch, p, n]`; returns
 * `C [batch, p, n]`, computed by onnxruntime (the batch in chunks).
 */
export async function blockLeftMatmulF32(
  l: Float32Array,
  x: Float32Array,
  batch: number,
  p: number,
  n: number,
  opts: MatmulOptions = {},
): Promise<Float32Array> {
  if (l.length !== p * p)
    throw new Error(`blockLeftMatmulF32: L has ${l.length} elements, expected p·p = ${p}·${p}`);
  if (x.length !== batch * p * n)
    throw new Error(
      `blockLeftMatmulF32: X has ${x.length} elements, expected batch·p·n = ${batch}·${p}·${n}`,
    );
  const session = await productSession(`block:${p}x${n}`, () => blockLeftModel(p, n));
  const c = new Float32Array(batch * p * n);
  const per = p * n;
  const step = Math.max(1, Math.floor((opts.maxChunkBytes ?? MATMUL_CHUNK_BYTES) / (4 * per)));
  const lt = tensorF32(l, [p, p]);
  for (let b0 = 0; b0 < batch; b0 += step) {
    const b1 = Math.min(batch, b0 + step);
    const out = await session.run({ L: lt, X: tensorF32(x.subarray(b0 * per, b1 * per), [b1 - b0, p, n]) });
    c.set(outputF32(out, "C"), b0 * per);
  }
  return c;
}

/** Release the cached MatMul sessions. */
export async function disposeMatmulSessions(): Promise<void> {
  const all = [...productSessions.values()];
  productSessions.clear();
  for (const s of all) await (await s).release();
}

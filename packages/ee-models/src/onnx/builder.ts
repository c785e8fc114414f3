/**
 * A small ONNX graph builder over onnx-proto, so that model files read like the math:
 *
 *   const q = g.matmul(x, g.weight("bert.encoder.layer.0.attention.self.query.weight", W, { transpose: true }));
 *
 * Values are plain strings (ONNX value names). Initializers are registered lazily: their bytes are
 * produced only when the model is saved (`writer.ts`), one tensor at a time, so a transposed or
 * concatenated copy of a weight never lives longer than its own write.
 *
 * Opset 17 for the default domain; `com.microsoft` version 1 is imported only when a node uses it.
 */
import { float32ToHalf, type Tensor } from "ee-core";
import { type Onnx, onnx } from "./proto.js";
import { type SaveOptions, type SaveResult, saveGraph } from "./writer.js";

/** Element types the builder emits. */
export type ElemType = "float32" | "float16" | "int64" | "int32" | "bool";

/** A dimension: a size, or a symbolic name such as `"batch"`. */
export type Dim = number | string;

/** An attribute value: integers, strings, int lists, or explicit floats (`{ f }`, `{ floats }`). */
export type AttrValue =
  | number
  | string
  | number[]
  | { f: number }
  | { floats: number[] }
  | { t: Onnx.ITensorProto };

/** A lazily produced initializer. */
export interface InitializerSpec {
  /** Initializer name (unique in the graph). */
  name: string;
  /** Element type. */
  elem: ElemType;
  /** Dimensions. */
  dims: number[];
  /** Size of the data (bytes). */
  sizeBytes: number;
  /** Produces the little-endian data; called once, at save time. */
  produce(): ArrayBufferView;
  /** Always stored inside model.onnx (small graph constants such as Reshape shapes, which shape inference must read). */
  inline?: boolean;
}

/** ONNX codes and sizes of each element type. */
const ELEM: Record<ElemType, { code: number; bytes: number }> = {
  float32: { code: onnx.TensorProto.DataType.FLOAT, bytes: 4 },
  float16: { code: onnx.TensorProto.DataType.FLOAT16, bytes: 2 },
  int64: { code: onnx.TensorProto.DataType.INT64, bytes: 8 },
  int32: { code: onnx.TensorProto.DataType.INT32, bytes: 4 },
  bool: { code: onnx.TensorProto.DataType.BOOL, bytes: 1 },
};

/** ONNX element-type code of `elem`. */
export function elemCode(elem: ElemType): number {
  return ELEM[elem].code;
}

/** Default-domain opset version. */
export const OPSET = 17;
/** ONNX Runtime contrib-op domain. */
export const MS_DOMAIN = "com.microsoft";

/** Options of `GraphBuilder.op`. */
export interface OpOptions {
  /** Operator domain; default the ONNX domain. */
  domain?: string;
  /** Number of outputs (fresh names) or explicit output names; default 1. */
  outputs?: number | string[];
  /** Name prefix for the node and its fresh outputs. */
  name?: string;
}

/** Options of `GraphBuilder.weight`. */
export interface WeightOptions {
  /** Store the 2-D tensor transposed (HF Linear `[out, in]` → MatMul `[in, out]`). */
  transpose?: boolean;
  /** Store under this name instead of the tensor's name (e.g. `…query.weight.T`). */
  as?: string;
}

/**
 * How `GraphBuilder.weight` stores matrices (2-D weights): `float32`, or `float16` — half the bytes on
 * disk and in a session, each matrix cast to float32 where it is read (a Cast node), so compute stays
 * float32 and only the rounding of the weights to half precision is lost. 1-D weights (norm gains,
 * biases) stay float32. A session that constant-folds the casts (ORT above
 * `graphOptimizationLevel: "disabled"`) widens the weights back to float32 when it loads.
 */
export type WeightDtype = "float32" | "float16";

/** Product of dimensions. */
function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Row-major transpose of an `[r, c]` matrix into a new `[c, r]` Float32Array. */
export function transpose2d(src: ArrayLike<number>, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  // Blocked for cache locality: large weights (4096×14336) transpose in ~100 ms.
  const B = 64;
  for (let i0 = 0; i0 < r; i0 += B) {
    const i1 = Math.min(r, i0 + B);
    for (let j0 = 0; j0 < c; j0 += B) {
      const j1 = Math.min(c, j0 + B);
      for (let i = i0; i < i1; i++) {
        const row = i * c;
        for (let j = j0; j < j1; j++) out[j * r + i] = src[row + j];
      }
    }
  }
  return out;
}

/** A tensor's data as Float32Array, converting F64 (no copy when already F32). */
function asF32(t: Tensor, name: string): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  throw new Error(`weight ${name}: expected floating-point data, got ${t.dtype}`);
}

/** Builds one ONNX graph; `save` writes it (see writer.ts). */
export class GraphBuilder {
  readonly name: string;
  readonly nodes: Onnx.INodeProto[] = [];
  readonly inputs: Onnx.IValueInfoProto[] = [];
  readonly outputs: Onnx.IValueInfoProto[] = [];
  readonly initializers: InitializerSpec[] = [];
  private readonly initNames = new Set<string>();
  private readonly domains = new Set<string>();
  private counter = 0;
  /** Storage of 2-D weights (see `WeightDtype`). */
  readonly weightDtype: WeightDtype;

  constructor(name: string, opts: { weightDtype?: WeightDtype } = {}) {
    this.name = name;
    this.weightDtype = opts.weightDtype ?? "float32";
  }

  // ---- names, inputs, outputs ------------------------------------------------------------------

  /** A fresh value name `prefix_N`. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private valueInfo(name: string, elem: ElemType, dims: Dim[]): Onnx.IValueInfoProto {
    const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
    return { name, type: { tensorType: { elemType: ELEM[elem].code, shape: { dim } } } };
  }

  /** Declare a graph input; returns its name. */
  input(name: string, elem: ElemType, dims: Dim[]): string {
    this.inputs.push(this.valueInfo(name, elem, dims));
    return name;
  }

  /** Declare graph output `name` computed by value `value` (an Identity renames it when needed). */
  output(value: string, name: string, elem: ElemType, dims: Dim[]): void {
    if (value !== name) this.op("Identity", [value], {}, { outputs: [name] });
    this.outputs.push(this.valueInfo(name, elem, dims));
  }

  // ---- initializers ----------------------------------------------------------------------------

  /** Register a lazily produced initializer; returns its name. */
  lazyInitializer(
    name: string,
    elem: ElemType,
    dims: number[],
    produce: () => ArrayBufferView,
    inline = false,
  ): string {
    if (this.initNames.has(name))
      throw new Error(`GraphBuilder ${this.name}: initializer ${name} defined twice`);
    this.initNames.add(name);
    this.initializers.push({
      name,
      elem,
      dims: [...dims],
      sizeBytes: numel(dims) * ELEM[elem].bytes,
      produce,
      inline,
    });
    return name;
  }

  /** An initializer from data in memory (kept by reference); returns its name. */
  initializer(name: string, data: Float32Array | BigInt64Array | Int32Array, dims: number[]): string {
    const elem: ElemType =
      data instanceof Float32Array ? "float32" : data instanceof BigInt64Array ? "int64" : "int32";
    if (data.length !== numel(dims)) {
      throw new Error(`initializer ${name}: ${data.length} elements do not fill dims [${dims.join(", ")}]`);
    }
    return this.lazyInitializer(name, elem, dims, () => data);
  }

  /** A weight from a state dict, optionally stored transposed; returns its initializer name. */
  weight(name: string, t: Tensor | undefined, opts: WeightOptions = {}): string {
    if (!t) throw new Error(`weights: missing tensor ${name}`);
    const outName = opts.as ?? name;
    if (opts.transpose && t.shape.length !== 2)
      throw new Error(`weight ${name}: transpose needs a 2-D tensor, got [${t.shape.join(", ")}]`);
    const [r, c] = t.shape;
    const dims = opts.transpose ? [c, r] : t.shape;
    const data = () => (opts.transpose ? transpose2d(asF32(t, name), r, c) : asF32(t, name));
    if (this.weightDtype === "float32" || t.shape.length !== 2)
      return this.lazyInitializer(outName, "float32", dims, data);
    const half = () => {
      const f = data();
      const h = new Uint16Array(f.length);
      float32ToHalf(f, h);
      for (let i = 0; i < h.length; i++)
        if ((h[i] & 0x7c00) === 0x7c00 && Number.isFinite(f[i]))
          throw new Error(`weight ${name}: value ${f[i]} at element ${i} overflows float16 (|x| > 65504)`);
      return h;
    };
    return this.cast(this.lazyInitializer(outName, "float16", dims, half), "float32");
  }

  /** A small int64 constant (an initializer always kept inside model.onnx); returns its name. */
  constI64(values: readonly number[], dims: number[] = [values.length], prefix = "const_i64"): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    if (data.length !== numel(dims))
      throw new Error(`constant ${prefix}: ${data.length} values do not fill [${dims.join(", ")}]`);
    return this.lazyInitializer(this.fresh(prefix), "int64", dims, () => data, true);
  }

  /** A small float32 constant (kept inside model.onnx); a scalar when `dims` is `[]`. */
  constF32(values: readonly number[], dims: number[] = [values.length], prefix = "const_f32"): string {
    const data = Float32Array.from(values);
    if (data.length !== numel(dims))
      throw new Error(`constant ${prefix}: ${data.length} values do not fill [${dims.join(", ")}]`);
    return this.lazyInitializer(this.fresh(prefix), "float32", dims, () => data, true);
  }

  // ---- nodes -----------------------------------------------------------------------------------

  private attribute(name: string, v: AttrValue): Onnx.IAttributeProto {
    const T = onnx.AttributeProto.AttributeType;
    if (typeof v === "number") {
      if (!Number.isInteger(v))
        throw new Error(`attribute ${name}: ${v} is not an integer; write { f: ${v} }`);
      return { name, type: T.INT, i: v };
    }
    if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
    if ("f" in v) return { name, type: T.FLOAT, f: v.f };
    if ("floats" in v) return { name, type: T.FLOATS, floats: v.floats };
    return { name, type: T.TENSOR, t: v.t };
  }

  /** Add a node with several outputs; returns the output names. `""` marks an omitted optional input. */
  opN(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: OpOptions = {},
  ): string[] {
    const prefix = opts.name ?? opType;
    const outs = opts.outputs ?? 1;
    const output = typeof outs === "number" ? Array.from({ length: outs }, () => this.fresh(prefix)) : outs;
    const domain = opts.domain ?? "";
    if (domain !== "") this.domains.add(domain);
    this.nodes.push({
      opType,
      domain,
      name: this.fresh(`${prefix}_node`),
      input: inputs,
      output,
      attribute: Object.entries(attrs).map(([k, v]) => this.attribute(k, v)),
    });
    return output;
  }

  /** Add a node; returns its (first) output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: OpOptions = {}): string {
    return this.opN(opType, inputs, attrs, opts)[0];
  }

  // ---- math helpers ----------------------------------------------------------------------------

  matmul(a: string, b: string): string {
    return this.op("MatMul", [a, b]);
  }
  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }
  div(a: string, b: string): string {
    return this.op("Div", [a, b]);
  }
  tanh(x: string): string {
    return this.op("Tanh", [x]);
  }
  erf(x: string): string {
    return this.op("Erf", [x]);
  }
  sigmoid(x: string): string {
    return this.op("Sigmoid", [x]);
  }
  cast(x: string, to: ElemType): string {
    return this.op("Cast", [x], { to: ELEM[to].code });
  }
  softmax(x: string, axis = -1): string {
    return this.op("Softmax", [x], { axis });
  }
  /** `x W + b` with W already `[in, out]`. */
  linear(x: string, w: string, b?: string): string {
    const y = this.matmul(x, w);
    return b ? this.add(y, b) : y;
  }
  /** Exact GELU: `0.5 · x · (1 + erf(x / √2))`. */
  gelu(x: string): string {
    const e = this.erf(this.div(x, this.constF32([Math.SQRT2], [])));
    return this.mul(this.mul(x, this.constF32([0.5], [])), this.add(e, this.constF32([1], [])));
  }
  /** LayerNormalization over the last axis (opset 17). */
  layerNorm(x: string, gamma: string, beta: string, epsilon: number): string {
    return this.op("LayerNormalization", [x, gamma, beta], { axis: -1, epsilon: { f: epsilon } });
  }
  reshape(x: string, shape: readonly number[]): string {
    return this.op("Reshape", [x, this.constI64(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op("Transpose", [x], { perm });
  }
  gather(data: string, indices: string, axis = 0): string {
    return this.op("Gather", [data, indices], { axis });
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.op("Unsqueeze", [x, this.constI64(axes)]);
  }
  /** `x[:, start:end]` style slice along `axes`. */
  slice(x: string, starts: number[], ends: number[], axes: number[]): string {
    return this.op("Slice", [x, this.constI64(starts), this.constI64(ends), this.constI64(axes)]);
  }

  // ---- model -----------------------------------------------------------------------------------

  /** The domains used by contrib nodes (e.g. `com.microsoft`). */
  usedDomains(): string[] {
    return [...this.domains];
  }

  /** Count of each op type (`domain::Op` for non-default domains). */
  opCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const n of this.nodes) {
      const key = n.domain ? `${n.domain}::${n.opType}` : (n.opType as string);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** The ModelProto WITHOUT initializers (the writer streams those). */
  modelProto(): Onnx.IModelProto {
    const opsetImport: Onnx.IOperatorSetIdProto[] = [{ domain: "", version: OPSET }];
    for (const d of this.domains) opsetImport.push({ domain: d, version: 1 });
    return {
      irVersion: 8,
      producerName: "ee-models",
      producerVersion: "0.1.0",
      opsetImport,
      graph: { name: this.name, node: this.nodes, input: this.inputs, output: this.outputs },
    };
  }

  /** Write `outDir/onnx/model.onnx` (+ `model.onnx_data`). */
  save(outDir: string, opts: SaveOptions = {}): SaveResult {
    return saveGraph(this, outDir, opts);
  }
}

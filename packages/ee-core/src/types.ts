/**
 * Public types of ee-core. Every field carries a doc line and, where it has one, its unit.
 *
 * Conventions (DESIGN.md §3): row vectors, `y = x W + b`, matrices row-major.
 * Hugging Face checkpoints store a Linear `weight` as `[d_out, d_in]`; ee-core never transposes
 * implicitly — callers say which layout they hold.
 */

/** On-disk element type of a safetensors tensor. */
export type DType = "F32" | "F16" | "BF16" | "I64" | "I32" | "U32";

/** In-memory element storage. F16/BF16 are widened to Float32Array on read. */
export type TensorData = Float32Array | Float64Array | Int32Array | Uint32Array | BigInt64Array;

/** A dense, row-major tensor. */
export interface Tensor {
  /** Element type as stored on disk (F16/BF16 data is held widened in a Float32Array). */
  dtype: DType;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /** Elements in row-major order; length = product of `shape`. */
  data: TensorData;
}

/** Named tensors, e.g. a checkpoint with Hugging Face tensor names. Insertion order is kept. */
export type StateDict = Map<string, Tensor>;

/** A permutation of `0..n-1`: `perm[i] = π(i)`, the position element `i` moves to. */
export type Permutation = Int32Array;

/** A source of random numbers: a CSPRNG by default, or a reproducible seeded stream. */
export interface RandomSource {
  /** True when the stream was derived from a seed (reproducible, therefore not secret). */
  readonly reproducible: boolean;
  /** Fill and return `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A uniform 32-bit unsigned integer. */
  uint32(): number;
  /** An unbiased uniform integer in `[0, maxExclusive)` (rejection sampling). */
  int(maxExclusive: number): number;
  /** A uniform float in `[0, 1)` with 53 random bits. */
  float(): number;
  /** A standard normal sample (mean 0, sd 1). */
  gaussian(): number;
  /** Fill `out` with normal samples of the given standard deviation; returns `out`. */
  fillGaussian<T extends Float32Array | Float64Array>(out: T, std?: number): T;
  /**
   * An independent child stream named by `label`. Seeded: deterministic in (seed, label), so a
   * tensor's values do not depend on the order in which other tensors were drawn. Unseeded: a
   * fresh CSPRNG stream.
   */
  derive(label: string): RandomSource;
}

/** What kind of secret a key component is; decides how `loadKey` validates it. */
export type KeyComponentKind =
  /** I32 `[n]` or `[g, n]`: each row a permutation of `0..n-1`. */
  | "permutation"
  /** F32/F64 `[d, d]` or `[g, d, d]`: each block orthogonal within tolerance. */
  | "orthogonal"
  /** F32/F64 `[d, d]` or `[g, d, d]`: each block invertible; its inverse is stored as `<name>.inverse`. */
  | "invertible"
  /** F32 `[n]` or `[g, n]`: nonzero scales. */
  | "scales"
  /** F32 `[n]` or `[g, n]`: entries ±1. */
  | "signs";

/** One named secret of a key. */
export interface KeyComponent {
  /** How the component is validated on load. */
  kind: KeyComponentKind;
  /** The values. */
  tensor: Tensor;
}

/** An Equivariant Encryption key: everything the client needs to encrypt inputs and decrypt outputs. */
export interface EEKey {
  /** Key file format version. */
  formatVersion: 1;
  /** Registered scheme name, e.g. `"vocab"` or `"full"`. */
  scheme: string;
  /** Architecture the key was made for, e.g. `"bert"`, `"roberta"`, `"llama"`. */
  architecture: string;
  /** True when generated from a seed: reproducible, NOT secret. */
  reproducible: boolean;
  /** ISO-8601 creation time. */
  createdAt: string;
  /** Free-form string metadata (e.g. model config hash, preset name). Never holds secrets. */
  meta: Record<string, string>;
  /** The secrets, by name (e.g. `"vocab.perm"`, `"hidden.Q"`, `"layers.3.attn.qk"`). */
  components: Map<string, KeyComponent>;
}

/**
 * Public types of ee-core. Every field carries a doc line and, where it has one, its unit.
 *
 * Conventions (docs/design.md §3): row vectors, `y = x W + b`, matrices row-major.
 * Hugging Face checkpoints store a Linear `weight` as `[d_out, d_in]`; ee-core never transposes
 * implicitly — callers say which layout they hold.
 */

/** On-disk element type of a safetensors tensor. */
export type DType = "F32" | "F64" | "F16" | "BF16" | "I64" | "I32" | "U32";

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
  /**
   * Fill `out` with normal samples of the given standard deviation (default 1); returns `out`.
   * Float64 output uses 53-bit uniforms; Float32 output uses 32-bit uniforms (|x| ≲ 9.3·std).
   */
  fillGaussian<T extends Float32Array | Float64Array>(out: T, std?: number): T;
  /**
   * An independent child stream named by `label`. Seeded: deterministic in (seed, label), so a
   * tensor's values do not depend on the order in which other tensors were drawn. Unseeded: a
   * fresh CSPRNG stream.
   */
  derive(label: string): RandomSource;
}

/** Options of `createRandom`. */
export interface CreateRandomOptions {
  /** When given, the stream is reproducible (and therefore not secret). A number must be a safe integer. */
  seed?: string | number | bigint;
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
  | "signs"
  /** I32 `[n]` or `[g, n]`: integers ≥ 1 (e.g. how many encrypted ids each token has). */
  | "counts";

/** One named secret of a key. */
export interface KeyComponent {
  /** How the component is validated on load. */
  kind: KeyComponentKind;
  /** The values. */
  tensor: Tensor;
  /** Kind "invertible" only: the inverse of each block (same dtype and shape); on disk `<name>.inverse`. */
  inverse?: Tensor;
}

/** An Equivariant Encryption key: everything the client needs to encrypt inputs and decrypt outputs. */
export interface EEKey {
  /** Key file format version. */
  formatVersion: 2;
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

/** Where one tensor lives in a safetensors file (from the header; no data read). */
export interface SafetensorsTensorInfo {
  /** Element type on disk. */
  dtype: DType;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Absolute position of the first data byte in the file, in bytes. */
  byteOffset: number;
  /** Size of the tensor's data on disk, in bytes. */
  sizeBytes: number;
  /** File holding the tensor (a shard, for sharded checkpoints). */
  path: string;
}

/** All tensors of a safetensors file (or sharded checkpoint) plus its `__metadata__`. */
export interface SafetensorsContents {
  /** The tensors, in header order (sharded: index order). */
  tensors: StateDict;
  /** `__metadata__` string pairs (sharded: the index's `metadata`, values stringified). */
  metadata: Record<string, string>;
}

/** An open safetensors file or sharded checkpoint: lists tensors from the header, reads one at a time. */
export interface SafetensorsReader {
  /** The file (or checkpoint folder) it was opened from. */
  readonly path: string;
  /** `__metadata__` string pairs. */
  readonly metadata: Record<string, string>;
  /** Tensor names in header order. */
  names(): string[];
  /** Dtype, shape and location of one tensor; throws naming the file when absent. */
  info(name: string): SafetensorsTensorInfo;
  /** Read one tensor with positioned reads (F16/BF16 widened to Float32Array). */
  read(name: string): Tensor;
  /** Close the file descriptor(s); further reads throw. */
  close(): void;
}

/** Options of `writeSafetensors`. */
export interface WriteSafetensorsOptions {
  /** File mode of the written file (applied with chmod, so umask does not narrow it); default 0o644. */
  mode?: number;
}

/** Options of `createKey`. */
export interface CreateKeyOptions {
  /** Registered scheme name, e.g. `"vocab"` or `"full"`. */
  scheme: string;
  /** Architecture, e.g. `"bert"`, `"roberta"`, `"llama"`. */
  architecture: string;
  /** True when the key's randomness came from a seed (see `RandomSource.reproducible`). */
  reproducible: boolean;
  /** Free-form string metadata; never secrets. Default `{}`. */
  meta?: Record<string, string>;
  /** ISO-8601 creation time; default now. */
  createdAt?: string;
}

/** What `loadKey` must find in the file; a mismatch is an error. */
export interface KeyExpectation {
  /** Required scheme name. */
  scheme?: string;
  /** Required architecture. */
  architecture?: string;
  /** Required fingerprint (64 hex characters, e.g. from an encrypted model's `ee.json`). */
  fingerprint?: string;
}

/** The confidence of a prediction: the largest softmax probability and where it is. */
export interface Confidence {
  /** Largest probability of the softmax, in [0, 1] (unitless). */
  maxProb: number;
  /** Index of the largest logit (first one on ties). */
  argmax: number;
}

/** A Student-t 95 % confidence interval for a mean, in the unit of the data. */
export interface TInterval {
  /** Sample mean (unit of the data). */
  mean: number;
  /** Lower bound, mean − halfWidth (unit of the data). */
  low: number;
  /** Upper bound, mean + halfWidth (unit of the data). */
  high: number;
  /** t_{0.975, n−1} · sd / √n (unit of the data). */
  halfWidth: number;
  /** Degrees of freedom, n − 1 (count). */
  df: number;
}

/** One interleaved pair: VI and EE run back to back on the same input (see `pairedDeltaT`). */
export interface PairedObservation {
  /** Repetition the pair belongs to, 0-based (index). */
  rep: number;
  /** VI wall time of the call (ms). */
  viMs: number;
  /** EE wall time of the call, client work included (ms). */
  eeMs: number;
  /** True when EE ran first in the pair, false when VI did (flag). */
  eeFirst: boolean;
}

/** ΔT estimated from pairs, order-balanced, with a t-interval over repetitions (`pairedDeltaT`). */
export interface PairedDeltaT {
  /** Pairs used (pairs). */
  pairs: number;
  /** Repetitions the pairs came from, R (count). */
  repetitions: number;
  /** m̄: mean over repetitions of the order-balanced mean of r = ln(EE/VI) (log ratio). */
  meanLogRatio: number;
  /** e^m̄ − 1 (%). */
  deltaTPct: number;
  /** 95 % interval of ΔT: Student-t over the R per-repetition values, mapped through e^x − 1: [low, high] (%). */
  ci95Pct: [number, number];
  /** Half the width of `ci95Pct` (%). */
  halfWidthPct: number;
  /** Median-based ΔT: group medians instead of group means (%). */
  medianDeltaTPct: number;
  /** 95 % interval of the median-based ΔT, as `ci95Pct` (%). */
  medianCi95Pct: [number, number];
  /** Order-balanced mean of r per repetition, in repetition order (log ratio). */
  perRepLogRatio: number[];
  /** Pooled sd of r within the two order groups, the pair-level noise (log ratio). */
  sdLogRatio: number;
  /** How much slower the first call of a pair ran than the second, e^(½(r̄_EE first − r̄_VI first)) − 1; 0 with one order group only (%). */
  orderEffectPct: number;
  /** Smallest true ΔT a two-sided 5 % test detects with 80 % power at this resolution, (t.975 + t.80)·SE mapped to % (%). */
  mdePct: number;
  /** Degrees of freedom of the interval, R − 1 (count). */
  df: number;
}

/** Summary of per-repetition ΔT values (each in percent). */
export interface DeltaTSummary {
  /** Mean ΔT over repetitions, in percent. */
  mean: number;
  /** Sample standard deviation (n − 1) of ΔT over repetitions, in percent (the paper's "ΔT Std"). */
  sd: number;
  /** Student-t 95 % interval of the mean ΔT, in percent. */
  ci95: TInterval;
  /** Number of repetitions (count). */
  n: number;
}

/** Welch's unequal-variance two-sample t-test (two-sided). */
export interface WelchResult {
  /** t statistic, (mean(a) − mean(b)) / √(var(a)/n_a + var(b)/n_b) (unitless). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (unitless, may be fractional). */
  df: number;
  /** Two-sided p-value in [0, 1]. */
  pValue: number;
}

/** Mann–Whitney U test, normal approximation with tie and continuity correction (two-sided). */
export interface MannWhitneyResult {
  /** U statistic of sample a: (rank sum of a) − n_a(n_a + 1)/2 (count of pairs, ties counting ½). */
  u: number;
  /** Standardized statistic, (U − n_a n_b / 2 ∓ ½) / σ (unitless). */
  z: number;
  /** Two-sided p-value in [0, 1]. */
  pValue: number;
}

/** A square matrix and its exact inverse (both row-major `d × d`). */
export interface InvertiblePair {
  /** The matrix `A`. */
  matrix: Float64Array;
  /** `A⁻¹`, computed from the factors, not by elimination. */
  inverse: Float64Array;
  /** The diagonal scales `s` in `A = Q · diag(s)`, unitless. */
  scales: Float64Array;
}

/** Options of `randomInvertible`. */
export interface RandomInvertibleOptions {
  /** Smallest diagonal scale (unitless, > 0); default 0.5. */
  minScale?: number;
  /** Largest diagonal scale (unitless, ≥ minScale); default 2. */
  maxScale?: number;
}

/** Options of `haarOrthogonal`. */
export interface HaarOptions {
  /**
   * "qr" (default): Householder QR of a d × d Gaussian matrix with the sign fix, ≈ (8/3)·d³ flops.
   * "stewart": the same law at half the cost — in that QR the trailing part of column k, after the k
   * earlier reflections, is a fresh i.i.d. Gaussian vector (the reflections are orthogonal and
   * independent of column k), so it is drawn fresh and the trailing update is skipped (Stewart 1980).
   */
  algorithm?: "qr" | "stewart";
}

/**
 * Non-finite values in weights: one check for every loader (checkpoints, plain model folders, the
 * encrypter), naming the tensor and the first bad position, so a NaN is refused before any work.
 */
import type { StateDict, Tensor } from "./types.js";

/** Where a tensor holds its first non-finite value. */
export interface NonFinite {
  /** Flat (row-major) index of the value (elements). */
  index: number;
  /** "NaN", "+Inf" or "-Inf". */
  value: "NaN" | "+Inf" | "-Inf";
  /** How many non-finite values the tensor holds in all (elements). */
  count: number;
}

/** The first non-finite value of a floating-point tensor, or undefined (integer tensors: always). */
export function findNonFinite(t: Tensor): NonFinite | undefined {
  const d = t.data;
  if (!(d instanceof Float32Array || d instanceof Float64Array)) return undefined;
  let first = -1;
  let count = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) {
      // NaN − NaN and ±Inf − ±Inf are NaN; every finite value gives 0
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return undefined;
  const v = d[first];
  return { index: first, value: Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf", count };
}

/** Row-major index → `[i, j, …]` in `shape`. */
function position(index: number, shape: number[]): string {
  const at: number[] = [];
  let r = index;
  for (let k = shape.length - 1; k >= 0; k--) {
    at.unshift(r % shape[k]);
    r = Math.floor(r / shape[k]);
  }
  return `[${at.join(", ")}]`;
}

/**
 * Throws unless every floating-point tensor is finite; the message starts with `where` (e.g. the
 * file) and names the tensor, the position and the count of bad values.
 */
export function assertFiniteTensors(tensors: StateDict | Iterable<[string, Tensor]>, where: string): void {
  for (const [name, t] of tensors) {
    const bad = findNonFinite(t);
    if (bad !== undefined) {
      throw new Error(
        `${where}: tensor "${name}" holds ${bad.value} at ${position(bad.index, t.shape)} (${bad.count} non-finite value${bad.count === 1 ? "" : "s"}); refusing non-finite weights`,
      );
    }
  }
}

/**
 * Candidate rankings: per encrypted id (or per observation) a fixed-depth list of plain ids, best first.
 */
import type { CandidateRanking, ObservationRanking } from "./types.js";

/** An empty ranking (`-1` everywhere) for `vocabSize` encrypted ids, `depth` guesses each. */
export function emptyRanking(vocabSize: number, depth: number): CandidateRanking {
  if (!Number.isSafeInteger(vocabSize) || vocabSize < 1)
    throw new Error(`emptyRanking: vocabSize must be a positive integer, got ${vocabSize}`);
  if (!Number.isSafeInteger(depth) || depth < 1)
    throw new Error(`emptyRanking: depth must be a positive integer, got ${depth}`);
  return { vocabSize, depth, ids: new Int32Array(vocabSize * depth).fill(-1) };
}

/** An empty observation ranking for `count` observations. */
export function emptyObservationRanking(count: number, depth: number): ObservationRanking {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new Error(`emptyObservationRanking: count must be a non-negative integer, got ${count}`);
  if (!Number.isSafeInteger(depth) || depth < 1)
    throw new Error(`emptyObservationRanking: depth must be a positive integer, got ${depth}`);
  return { count, depth, ids: new Int32Array(count * depth).fill(-1) };
}

/**
 * Append `plain` to the guesses of encrypted id `enc` unless it is already there or the list is
 * full. Returns true when appended.
 */
export function pushCandidate(r: CandidateRanking | ObservationRanking, row: number, plain: number): boolean {
  const base = row * r.depth;
  for (let k = 0; k < r.depth; k++) {
    const v = r.ids[base + k];
    if (v === plain) return false;
    if (v === -1) {
      r.ids[base + k] = plain;
      return true;
    }
  }
  return false;
}

/** Append every guess of `from` (same encrypted ids) after `r`'s own guesses, row by row. */
export function appendRanking(r: CandidateRanking, from: CandidateRanking): void {
  for (let e = 0; e < r.vocabSize; e++)
    for (let k = 0; k < from.depth; k++)
      if (from.ids[e * from.depth + k] >= 0) pushCandidate(r, e, from.ids[e * from.depth + k]);
}

/** The first guess for every encrypted id (`-1` = none): the attacker's decryption table. */
export function topGuess(r: CandidateRanking): Int32Array {
  const out = new Int32Array(r.vocabSize);
  for (let e = 0; e < r.vocabSize; e++) out[e] = r.ids[e * r.depth];
  return out;
}

/**
 * A ranking whose first guess is `decrypt[e]` (an assignment encrypted → plain, `-1` = none),
 * followed by the guesses of `fallback` (if given) for the remaining depth.
 */
export function rankingFromAssignment(
  decrypt: Int32Array,
  depth: number,
  fallback?: CandidateRanking,
): CandidateRanking {
  const r = emptyRanking(decrypt.length, depth);
  for (let e = 0; e < decrypt.length; e++) {
    if (decrypt[e] >= 0) pushCandidate(r, e, decrypt[e]);
    if (fallback) {
      const base = e * fallback.depth;
      for (let k = 0; k < fallback.depth; k++) {
        const v = fallback.ids[base + k];
        if (v >= 0) pushCandidate(r, e, v);
      }
    }
  }
  return r;
}

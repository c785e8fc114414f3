/**
 * Public-weights attack under `vocab` (rows moved, hidden basis unchanged): an encrypted embedding
 * row is bit-for-bit a plain row, so hashing rows recovers π exactly (up to duplicate rows, which
 * are all listed). Under `full` no row survives unchanged and this attack finds nothing — which is
 * what it should report.
 */
import { checkMatrix } from "../linalg/rows.js";
import { emptyRanking, pushCandidate } from "../ranking.js";
import type { CandidateRanking, Matrix } from "../types.js";

/** Match encrypted rows to identical plain rows. Returns the ranking and how many rows matched. */
export function exactRowMatch(
  plain: Matrix,
  enc: Matrix,
  depth = 10,
): { ranking: CandidateRanking; matchedRows: number } {
  checkMatrix(plain, "exactRowMatch: plain");
  checkMatrix(enc, "exactRowMatch: enc");
  if (plain.rows !== enc.rows || plain.cols !== enc.cols)
    throw new Error(`exactRowMatch: plain is ${plain.rows}×${plain.cols}, enc is ${enc.rows}×${enc.cols}`);
  const d = plain.cols;
  const pBits = new Uint32Array(plain.data.buffer, plain.data.byteOffset, plain.data.length);
  const eBits = new Uint32Array(enc.data.buffer, enc.data.byteOffset, enc.data.length);
  const buckets = new Map<number, number[]>();
  for (let r = 0; r < plain.rows; r++) {
    const h = rowHash(pBits, r * d, d);
    const b = buckets.get(h);
    if (b) b.push(r);
    else buckets.set(h, [r]);
  }
  const ranking = emptyRanking(enc.rows, depth);
  let matchedRows = 0;
  for (let e = 0; e < enc.rows; e++) {
    const cands = buckets.get(rowHash(eBits, e * d, d));
    if (!cands) continue;
    let any = false;
    for (const r of cands) {
      if (sameRow(pBits, r * d, eBits, e * d, d)) {
        pushCandidate(ranking, e, r);
        any = true;
      }
    }
    if (any) matchedRows++;
  }
  return { ranking, matchedRows };
}

/** FNV-1a-style 32-bit hash of a row's bit patterns, as a non-negative number. */
function rowHash(bits: Uint32Array, o: number, d: number): number {
  let h = 0x811c9dc5;
  for (let c = 0; c < d; c++) {
    h ^= bits[o + c];
    h = Math.imul(h, 0x01000193);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

function sameRow(a: Uint32Array, ao: number, b: Uint32Array, bo: number, d: number): boolean {
  for (let c = 0; c < d; c++) if (a[ao + c] !== b[bo + c]) return false;
  return true;
}

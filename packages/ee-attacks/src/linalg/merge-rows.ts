/**
 * The weights attacker's first move against homophonic ids: the k_t encrypted ids of a token have
 * bit-identical rows (embedding and LM head), so rows that are equal bit for bit are merged into one
 * group per token before any matching. Nothing secret is used: equality of the served weights.
 */
import type { Matrix, WeightsView } from "../types.js";
import { checkMatrix } from "./rows.js";

/** Encrypted tables with identical rows merged. */
export interface MergedRows {
  /** The encrypted tables with one row per group, in order of each group's first encrypted id. */
  view: WeightsView;
  /** Group of every encrypted id `[V']`. */
  groupOf: Int32Array;
  /** First encrypted id of every group `[G]`. */
  representatives: Int32Array;
}

/** FNV-1a over the bit patterns of row r of every table. */
function rowHash(tables: Matrix[], r: number): number {
  let h = 0x811c9dc5;
  for (const m of tables) {
    const bits = new Uint32Array(m.data.buffer, m.data.byteOffset + r * m.cols * 4, m.cols);
    for (let c = 0; c < bits.length; c++) h = Math.imul(h ^ bits[c], 0x01000193) >>> 0;
  }
  return h;
}

function sameRow(tables: Matrix[], a: number, b: number): boolean {
  for (const m of tables)
    for (let c = 0; c < m.cols; c++)
      if (!Object.is(m.data[a * m.cols + c], m.data[b * m.cols + c])) return false;
  return true;
}

/** Merge the encrypted rows of `view` that are identical in every encrypted table (plain tables kept). */
export function mergeIdenticalRows(view: WeightsView): MergedRows {
  const tables = [view.encryptedEmbedding, ...(view.encryptedLmHead ? [view.encryptedLmHead] : [])];
  for (const m of tables) checkMatrix(m, "mergeIdenticalRows: encrypted table");
  const n = view.encryptedEmbedding.rows;
  if (tables.some((m) => m.rows !== n))
    throw new Error(
      `mergeIdenticalRows: encrypted tables have ${tables.map((m) => m.rows).join(" vs ")} rows`,
    );
  const buckets = new Map<number, number[]>();
  const groupOf = new Int32Array(n);
  const reps: number[] = [];
  for (let r = 0; r < n; r++) {
    const h = rowHash(tables, r);
    const bucket = buckets.get(h) ?? [];
    const g = bucket.find((x) => sameRow(tables, reps[x], r));
    if (g !== undefined) {
      groupOf[r] = g;
      continue;
    }
    groupOf[r] = reps.length;
    bucket.push(reps.length);
    buckets.set(h, bucket);
    reps.push(r);
  }
  const representatives = Int32Array.from(reps);
  const pick = (m: Matrix): Matrix => {
    const data = new Float32Array(representatives.length * m.cols);
    representatives.forEach((r, g) => {
      data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), g * m.cols);
    });
    return { rows: representatives.length, cols: m.cols, data };
  };
  return {
    view: {
      ...view,
      encryptedEmbedding: pick(view.encryptedEmbedding),
      ...(view.encryptedLmHead ? { encryptedLmHead: pick(view.encryptedLmHead) } : {}),
    },
    groupOf,
    representatives,
  };
}

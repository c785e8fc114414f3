/**
 * Position ids from an attention mask, as Hugging Face generation computes them for left padding:
 * `position = cumsum(mask) − 1` over the whole sequence (past + new), and 1 where the mask is 0.
 */

/**
 * Position ids `[B, T]` of the last `newLen` tokens of each row of `mask` `[B, totalLen]` (flags).
 * Padding positions get 1 (HF's `masked_fill_(mask == 0, 1)`); their values are never attended to.
 */
export function positionIdsFromMask(
  mask: ArrayLike<number | bigint>,
  batchSize: number,
  totalLen: number,
  newLen: number,
): BigInt64Array {
  if (mask.length !== batchSize * totalLen) {
    throw new Error(
      `positionIdsFromMask: mask has ${mask.length} entries, expected batch ${batchSize} × length ${totalLen}`,
    );
  }
  if (newLen > totalLen)
    throw new Error(`positionIdsFromMask: newLen ${newLen} exceeds totalLen ${totalLen}`);
  const out = new BigInt64Array(batchSize * newLen);
  for (let b = 0; b < batchSize; b++) {
    let count = 0;
    for (let j = 0; j < totalLen; j++) {
      const m = Number(mask[b * totalLen + j]);
      count += m;
      const t = j - (totalLen - newLen);
      if (t >= 0) out[b * newLen + t] = BigInt(m === 0 ? 1 : count - 1);
    }
  }
  return out;
}

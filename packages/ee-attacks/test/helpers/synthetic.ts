/**
 * Small synthetic token streams and matrices for the tests.
 */
import type { RandomSource } from "ee-core";
import type { Matrix, TokenCorpus } from "../../src/types.js";

/** Sample from cumulative weights `cum` (ascending, last = total). */
function sampleCum(cum: Float64Array, rng: RandomSource): number {
  const u = rng.float() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] <= u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Docs of i.i.d. Zipf(s) tokens over `0..V-1`, token `t` having weight 1/(t+1)^s. */
export function zipfCorpus(
  name: string,
  V: number,
  docs: number,
  docLen: number,
  s: number,
  rng: RandomSource,
): TokenCorpus {
  const cum = new Float64Array(V);
  let acc = 0;
  for (let t = 0; t < V; t++) {
    acc += 1 / (t + 1) ** s;
    cum[t] = acc;
  }
  return {
    name,
    docs: Array.from({ length: docs }, () => Int32Array.from({ length: docLen }, () => sampleCum(cum, rng))),
  };
}

/** A random sparse Markov chain: each token has `fanout` successors with decreasing weights. */
export interface MarkovChain {
  /** Successor ids, `V × fanout`. */
  next: Int32Array;
  /** Cumulative successor weights, `V × fanout`. */
  cum: Float64Array;
  /** Fan-out. */
  fanout: number;
  /** Vocabulary size. */
  V: number;
}

/**
 * Build a chain whose successors are drawn from Zipf(s) over the vocabulary (so the stream has a
 * Zipf-like unigram head, as text does, and strong bigram structure).
 */
export function randomMarkovChain(V: number, fanout: number, s: number, rng: RandomSource): MarkovChain {
  const next = new Int32Array(V * fanout);
  const cum = new Float64Array(V * fanout);
  const zipf = new Float64Array(V);
  let z = 0;
  for (let t = 0; t < V; t++) {
    z += 1 / (t + 1) ** s;
    zipf[t] = z;
  }
  for (let t = 0; t < V; t++) {
    let acc = 0;
    for (let k = 0; k < fanout; k++) {
      next[t * fanout + k] = sampleCum(zipf, rng);
      acc += 1 / (k + 1);
      cum[t * fanout + k] = acc;
    }
  }
  return { next, cum, fanout, V };
}

/** Docs sampled from a chain (uniform random start token). */
export function markovCorpus(
  name: string,
  chain: MarkovChain,
  docs: number,
  docLen: number,
  rng: RandomSource,
): TokenCorpus {
  const out: Int32Array[] = [];
  for (let d = 0; d < docs; d++) {
    const doc = new Int32Array(docLen);
    doc[0] = rng.int(chain.V);
    for (let i = 1; i < docLen; i++) {
      const o = doc[i - 1] * chain.fanout;
      const k = sampleCum(chain.cum.subarray(o, o + chain.fanout), rng);
      doc[i] = chain.next[o + k];
    }
    out.push(doc);
  }
  return { name, docs: out };
}

/** Encrypt a corpus with π (plain → encrypted). */
export function encryptCorpus(c: TokenCorpus, perm: Int32Array): TokenCorpus {
  return { name: `${c.name} (encrypted)`, docs: c.docs.map((d) => d.map((t) => perm[t])) };
}

/** A Gaussian matrix with the given std. */
export function gaussianMatrix(rows: number, cols: number, std: number, rng: RandomSource): Matrix {
  return { rows, cols, data: rng.fillGaussian(new Float32Array(rows * cols), std) };
}

/** `m Q` for a float64 `Q` (`cols × cols`), rounded to float32. */
export function rotateRows(m: Matrix, q: Float64Array): Matrix {
  const d = m.cols;
  const out = new Float32Array(m.rows * d);
  const acc = new Float64Array(d);
  for (let r = 0; r < m.rows; r++) {
    acc.fill(0);
    for (let c = 0; c < d; c++) {
      const v = m.data[r * d + c];
      for (let j = 0; j < d; j++) acc[j] += v * q[c * d + j];
    }
    out.set(acc, r * d);
  }
  return { rows: m.rows, cols: d, data: out };
}

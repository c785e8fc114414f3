/**
 * Honest held-out scoring (docs/design.md §13): how much of the victim's OWN text the first guesses decrypt.
 *
 * - the user's text only: the template's prefix/suffix (chat template, system prompt, [CLS]/[SEP]) and
 *   special tokens are excluded and reported apart — they are known plaintext, not a secret recovered;
 * - by occurrence (share of tokens) AND by type (share of distinct plain ids): a few frequent types
 *   carry most occurrences, so the two differ a lot;
 * - per frequency band of the plain token's rank in the victim's traffic: top-100, 100–1k, the rest.
 */
import type { Permutation } from "ee-core";
import { decryptionOf } from "./metrics.js";
import type {
  CandidateRanking,
  FrequencyBand,
  HeldOutBreakdown,
  KnownTemplate,
  RecoveryShare,
  TokenCorpus,
} from "./types.js";

/** Rank limits of the frequency bands (ranks are 0-based: rank < 100 is the top-100). */
export const BAND_LIMITS: readonly { band: FrequencyBand; below: number }[] = [
  { band: "top-100", below: 100 },
  { band: "100-1k", below: 1000 },
  { band: "rest", below: Number.POSITIVE_INFINITY },
];

/** What the scorer needs besides the ranking. */
export interface HeldOutContext {
  /** The true π (plain → encrypted), scoring only. */
  truePermutation: Permutation;
  /** Held-out encrypted documents. */
  heldOut: TokenCorpus;
  /** Known template every document carries (its positions are not the user's text). */
  template?: KnownTemplate;
  /** Plain ids of special tokens (never the user's text). */
  specialIds?: Int32Array;
  /** Encrypted traffic whose plain-token frequency ranks define the bands (default: the held-out user text). */
  rankCorpus?: TokenCorpus;
  /** True decryption of every encrypted id (homophonic ids, V' > V); default π⁻¹. */
  trueDecryption?: Int32Array;
}

/** Precomputed split of the held-out text (reused for every row of a report). */
export interface HeldOutSplit {
  /** Encrypted ids of the user's own tokens, in order. */
  user: Int32Array;
  /** Encrypted ids of template and special tokens. */
  template: Int32Array;
  /** Band index (into `BAND_LIMITS`) of every plain id. */
  bandOf: Uint8Array;
  /** σ = π⁻¹. */
  sigma: Int32Array;
}

const startsWith = (doc: Int32Array, prefix: Int32Array): boolean =>
  prefix.length <= doc.length && prefix.every((t, i) => doc[i] === t);
const endsWith = (doc: Int32Array, suffix: Int32Array): boolean =>
  suffix.length <= doc.length && suffix.every((t, i) => doc[doc.length - suffix.length + i] === t);

/** Split held-out tokens into the user's text and template/special tokens; rank plain ids into bands. */
export function splitHeldOut(ctx: HeldOutContext): HeldOutSplit {
  const V = ctx.truePermutation.length;
  const sigma = ctx.trueDecryption ?? decryptionOf(ctx.truePermutation);
  const Vp = sigma.length;
  const special = new Uint8Array(V);
  for (const t of ctx.specialIds ?? []) special[t] = 1;
  const user: number[] = [];
  const template: number[] = [];
  for (const enc of ctx.heldOut.docs) {
    const doc = enc.map((e) => sigma[e]);
    const p = ctx.template && startsWith(doc, ctx.template.prefix) ? ctx.template.prefix.length : 0;
    const sLen = ctx.template?.suffix.length ?? 0;
    const s = ctx.template && doc.length - p >= sLen && endsWith(doc, ctx.template.suffix) ? sLen : 0;
    for (let i = 0; i < enc.length; i++) {
      if (enc[i] < 0 || enc[i] >= Vp)
        throw new Error(`held-out corpus "${ctx.heldOut.name}" has id ${enc[i]} outside [0, ${Vp})`);
      const inTemplate = i < p || i >= doc.length - s || special[doc[i]] === 1;
      (inTemplate ? template : user).push(enc[i]);
    }
  }
  const counts = new Float64Array(V);
  if (ctx.rankCorpus) {
    for (const d of ctx.rankCorpus.docs) for (let i = 0; i < d.length; i++) counts[sigma[d[i]]]++;
  } else {
    for (const e of user) counts[sigma[e]]++;
  }
  for (let t = 0; t < V; t++) if (special[t]) counts[t] = 0;
  const order = Int32Array.from({ length: V }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const bandOf = new Uint8Array(V).fill(BAND_LIMITS.length - 1);
  for (let r = 0; r < V && counts[order[r]] > 0; r++) {
    bandOf[order[r]] = BAND_LIMITS.findIndex((b) => r < b.below);
  }
  return { user: Int32Array.from(user), template: Int32Array.from(template), bandOf, sigma };
}

/** Occurrence- and type-weighted share of `encIds` whose first guess is right. */
function share(ranking: CandidateRanking, encIds: Int32Array, sigma: Int32Array): RecoveryShare {
  let right = 0;
  const types = new Map<number, boolean>();
  for (const e of encIds) {
    const ok = ranking.ids[e * ranking.depth] === sigma[e];
    if (ok) right++;
    types.set(e, ok);
  }
  let typesRight = 0;
  for (const ok of types.values()) if (ok) typesRight++;
  return {
    occurrencePct: pct(right, encIds.length),
    typePct: pct(typesRight, types.size),
    tokens: encIds.length,
    types: types.size,
  };
}

/** The breakdown of one ranking on the held-out split. */
export function heldOutBreakdown(ranking: CandidateRanking, split: HeldOutSplit): HeldOutBreakdown {
  if (ranking.vocabSize !== split.sigma.length)
    throw new Error(`heldOutBreakdown: ranking covers ${ranking.vocabSize} ids, π has ${split.sigma.length}`);
  return {
    user: share(ranking, split.user, split.sigma),
    template: share(ranking, split.template, split.sigma),
    bands: BAND_LIMITS.map((b, i) => ({
      band: b.band,
      share: share(
        ranking,
        split.user.filter((e) => split.bandOf[split.sigma[e]] === i),
        split.sigma,
      ),
    })),
  };
}

function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}

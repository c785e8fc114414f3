/**
 * Encryption schemes (docs/design.md §2): explicit, named, registered. An encrypter reads a scheme's flags,
 * so a new scheme built from existing transforms is one row in `SCHEMES`; a scheme with a new kind of
 * transform adds a flag here and its handling in each encrypter.
 */

/** Registered scheme names. */
export type SchemeName =
  | "vocab"
  | "full"
  | "full-kron"
  | "control"
  | "noise-2"
  | "noise-10"
  | "noise-30"
  | "homophonic";

/**
 * Form of the Llama residual basis Q (`residual-basis.ts`): `haar` a dense Haar-random d × d matrix,
 * `kronecker` A ⊗ B of two Haar-random factors of about √d (exact too; ≈ √d / 2 × fewer multiply-adds
 * to encrypt). BERT/RoBERTa's hidden basis is a permutation (LayerNorm allows no rotation): unaffected.
 */
export type ResidualBasisKind = "haar" | "kronecker";

/** What a scheme transforms. */
export interface Scheme {
  /** Registry key, stored in the key file and in `ee.json`. */
  name: SchemeName;
  /** One line for listings and reports. */
  description: string;
  /** Token ids are permuted: embedding rows and LM-head columns (every architecture). */
  vocab: boolean;
  /**
   * The hidden basis, attention heads, FFN neurons and the classifier head are transformed
   * (BERT/RoBERTa: docs/design.md §4.2; Llama: §4.3).
   */
  hidden: boolean;
  /** True when decryption is exact up to floating-point rounding (no noise added). */
  exact: boolean;
  /**
   * Every secret is the identity: an A/A control for benchmarks. The EE pipeline runs unchanged (its
   * own folder, session and client gathers) on the plain weights, so its ΔT measures the harness's
   * own bias (session order, client work). NOT encryption.
   */
  identity: boolean;
  /**
   * Relative std of Gaussian noise added to every embedding / LM-head row after the exact transforms
   * (`rel · rms(row)`, dimensionless; 0 = none): AloePri-style, `row-noise.ts`. Stored in the key.
   */
  rowNoise: number;
  /**
   * Token ids are homophonic (`homophones.ts`): token t has k_t ≥ 1 encrypted ids, more for frequent
   * tokens, one picked at random per occurrence by the client; the token tables grow from V to
   * V' = V + extra rows. Exact. The counts k_t are in the key.
   */
  homophonic: boolean;
  /** Form of the Llama residual basis when `hidden` (ignored otherwise). */
  residualBasis: ResidualBasisKind;
}

/** `full` plus AloePri-style Gaussian noise of `rel · rms(row)` on every embedding / LM-head row (NOT exact). */
function noiseScheme(name: SchemeName, rel: number): Scheme {
  return {
    name,
    description: `full + Gaussian noise of ${rel * 100} % of each row's RMS on embedding and LM-head rows (not exact)`,
    vocab: true,
    hidden: true,
    exact: false,
    identity: false,
    rowNoise: rel,
    homophonic: false,
    residualBasis: "haar",
  };
}

/** `full`: the paper's scheme; `full-kron` differs only in its residual basis. */
const FULL: Scheme = {
  name: "full",
  description: "vocab + hidden basis + attention heads + FFN neurons (+ classifier head)",
  vocab: true,
  hidden: true,
  exact: true,
  identity: false,
  rowNoise: 0,
  homophonic: false,
  residualBasis: "haar",
};

/** The registry: one row per scheme. */
export const SCHEMES: Readonly<Record<SchemeName, Scheme>> = {
  vocab: {
    name: "vocab",
    description: "token-id permutation only (embedding rows, LM-head columns)",
    vocab: true,
    hidden: false,
    exact: true,
    identity: false,
    rowNoise: 0,
    homophonic: false,
    residualBasis: "haar",
  },
  full: FULL,
  "full-kron": {
    ...FULL,
    name: "full-kron",
    description:
      "full with a Kronecker-structured Llama residual basis Q = A ⊗ B (exact; ≈ √d / 2 × fewer multiply-adds to encrypt; encoders as full)",
    residualBasis: "kronecker",
  },
  control: {
    name: "control",
    description: "A/A benchmark control: the vocab pipeline with π = identity (not encryption)",
    vocab: true,
    hidden: false,
    exact: true,
    identity: true,
    rowNoise: 0,
    homophonic: false,
    residualBasis: "haar",
  },
  "noise-2": noiseScheme("noise-2", 0.02),
  "noise-10": noiseScheme("noise-10", 0.1),
  "noise-30": noiseScheme("noise-30", 0.3),
  homophonic: {
    name: "homophonic",
    description:
      "full + homophonic token ids: frequent tokens get several encrypted ids, one drawn per occurrence (exact; V' > V)",
    vocab: true,
    hidden: true,
    exact: true,
    identity: false,
    rowNoise: 0,
    homophonic: true,
    residualBasis: "haar",
  },
};

/** The scheme used when none is named. */
export const DEFAULT_SCHEME: SchemeName = "full";

/** All registered scheme names. */
export function schemeNames(): SchemeName[] {
  return Object.keys(SCHEMES) as SchemeName[];
}

/** The scheme registered as `name`, or an Error listing the known ones. */
export function getScheme(name: string): Scheme {
  const s = (SCHEMES as Record<string, Scheme | undefined>)[name];
  if (s === undefined)
    throw new Error(`unknown encryption scheme '${name}'; known: ${schemeNames().join(", ")}`);
  return s;
}

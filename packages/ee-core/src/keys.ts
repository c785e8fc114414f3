/**
 * EE keys: creation, validation by component kind, canonical SHA-256 fingerprint, and key files
 * (safetensors, mode 0600, written via a temporary file and rename).
 *
 * Key file layout: one tensor per component (named as the component), plus `<name>.inverse` for
 * invertible components; `__metadata__` holds `ee.format` ("ee-key"), `ee.formatVersion`, `ee.scheme`,
 * `ee.architecture`, `ee.reproducible` ("true"/"false"), `ee.createdAt`, `ee.meta` (JSON object of
 * strings), `ee.kinds` (JSON object name → kind) and `ee.fingerprint`.
 *
 * Errors name components, rows, blocks and positions, never values (key material is secret).
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { inverseError, invert, orthogonalityError } from "./linalg.js";
import { permutationDefect } from "./permutation.js";
import { createRandom } from "./random.js";
import { refuseExisting } from "./safe-write.js";
import { forEachTensorChunk, readSafetensors, validateTensor, writeSafetensors } from "./safetensors.js";
import type {
  CreateKeyOptions,
  EEKey,
  KeyComponent,
  KeyComponentKind,
  KeyExpectation,
  StateDict,
  Tensor,
} from "./types.js";

/** Key file format version written and read by this build. */
export const KEY_FORMAT_VERSION = 2 as const;
/** Format version 1 (fingerprint over key material only); refused on read: its metadata is unauthenticated. */
const KEY_FORMAT_V1 = "1";
/** Value of the `ee.format` metadata entry. */
const KEY_FORMAT_TAG = "ee-key";
/** Suffix of the tensor holding an invertible component's inverse. */
export const INVERSE_SUFFIX = ".inverse";
/** Tolerance on `max |QᵀQ − I|` and `max |A·A⁻¹ − I|` for F32 components. */
export const KEY_TOLERANCE_F32 = 1e-4;
/** Tolerance on `max |QᵀQ − I|` and `max |A·A⁻¹ − I|` for F64 components. */
export const KEY_TOLERANCE_F64 = 1e-10;
/**
 * Blocks up to this size are checked exactly (all d² entries of QᵀQ − I, cost d³). Larger blocks are
 * checked with 4 random unit probes x (|Qᵀ(Qx) − x|∞, cost d²): a generator bug shows up, and
 * accidental or deliberate changes to the file are caught by the stored fingerprint.
 */
export const KEY_EXACT_CHECK_MAX_DIM = 1024;
const PROBES = 4;

const KINDS: readonly KeyComponentKind[] = [
  "permutation",
  "orthogonal",
  "invertible",
  "scales",
  "signs",
  "counts",
];

const META = {
  format: "ee.format",
  formatVersion: "ee.formatVersion",
  scheme: "ee.scheme",
  architecture: "ee.architecture",
  reproducible: "ee.reproducible",
  createdAt: "ee.createdAt",
  meta: "ee.meta",
  kinds: "ee.kinds",
  fingerprint: "ee.fingerprint",
  headerDigest: "ee.headerDigest",
} as const;

/** A new key with no components. */
export function createKey(opts: CreateKeyOptions): EEKey {
  for (const f of ["scheme", "architecture"] as const) {
    if (typeof opts[f] !== "string" || opts[f].length === 0)
      throw new Error(`createKey: ${f} must be a non-empty string`);
  }
  if (typeof opts.reproducible !== "boolean") throw new Error("createKey: reproducible must be a boolean");
  const meta = { ...(opts.meta ?? {}) };
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== "string") throw new Error(`createKey: meta "${k}" must be a string`);
  }
  return {
    formatVersion: KEY_FORMAT_VERSION,
    scheme: opts.scheme,
    architecture: opts.architecture,
    reproducible: opts.reproducible,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    meta,
    components: new Map(),
  };
}

/**
 * Add a validated component. For kind "invertible", `inverse` is the inverse of each block; when
 * omitted it is computed (LU in float64, stored in the tensor's dtype). Returns the component.
 */
export function addComponent(
  key: EEKey,
  name: string,
  kind: KeyComponentKind,
  tensor: Tensor,
  inverse?: Tensor,
): KeyComponent {
  if (typeof name !== "string" || name.length === 0 || name === "__metadata__") {
    throw new Error(`addComponent: invalid component name ${JSON.stringify(name)}`);
  }
  if (key.components.has(name)) throw new Error(`addComponent: component "${name}" already exists`);
  if (!KINDS.includes(kind))
    throw new Error(`addComponent: component "${name}": unknown kind ${JSON.stringify(kind)}`);
  if (
    name.endsWith(INVERSE_SUFFIX) &&
    key.components.get(name.slice(0, -INVERSE_SUFFIX.length))?.kind === "invertible"
  ) {
    throw new Error(
      `addComponent: component name "${name}" is taken by the inverse of an invertible component`,
    );
  }
  if (kind === "invertible" && key.components.has(name + INVERSE_SUFFIX)) {
    throw new Error(
      `addComponent: component "${name}${INVERSE_SUFFIX}" exists, so "${name}" cannot be invertible`,
    );
  }
  const comp: KeyComponent = { kind, tensor };
  if (kind === "invertible") comp.inverse = inverse ?? computeInverse(name, tensor);
  else if (inverse !== undefined)
    throw new Error(`addComponent: component "${name}": only invertible components take an inverse`);
  validateComponent(name, comp, "addComponent: ");
  key.components.set(name, comp);
  return comp;
}

function computeInverse(name: string, t: Tensor): Tensor {
  validateTensor(t, `addComponent: component "${name}"`);
  const { blocks, d } = squareBlocks(name, "invertible", t, "addComponent: ");
  const out = t.dtype === "F64" ? new Float64Array(t.data.length) : new Float32Array(t.data.length);
  for (let b = 0; b < blocks; b++) {
    const block = (t.data as Float32Array | Float64Array).subarray(b * d * d, (b + 1) * d * d);
    let inv: Float64Array;
    try {
      inv = invert(block, d);
    } catch {
      throw new Error(`addComponent: component "${name}" block ${b} is singular`);
    }
    out.set(inv, b * d * d);
  }
  return { dtype: t.dtype, shape: t.shape.slice(), data: out };
}

function squareBlocks(
  name: string,
  kind: KeyComponentKind,
  t: Tensor,
  prefix: string,
): { blocks: number; d: number } {
  const s = t.shape;
  if ((s.length === 2 && s[0] === s[1]) || (s.length === 3 && s[1] === s[2])) {
    return s.length === 2 ? { blocks: 1, d: s[0] } : { blocks: s[0], d: s[1] };
  }
  throw new Error(
    `${prefix}component "${name}" (${kind}) must have shape [d, d] or [g, d, d], got [${s.join(", ")}]`,
  );
}

function vectorRows(
  name: string,
  kind: KeyComponentKind,
  t: Tensor,
  prefix: string,
): { rows: number; n: number } {
  const s = t.shape;
  if (s.length === 1) return { rows: 1, n: s[0] };
  if (s.length === 2) return { rows: s[0], n: s[1] };
  throw new Error(
    `${prefix}component "${name}" (${kind}) must have shape [n] or [g, n], got [${s.join(", ")}]`,
  );
}

function requireDtype(
  name: string,
  kind: KeyComponentKind,
  t: Tensor,
  allowed: readonly string[],
  prefix: string,
): void {
  if (!allowed.includes(t.dtype)) {
    throw new Error(`${prefix}component "${name}" (${kind}) must be ${allowed.join(" or ")}, got ${t.dtype}`);
  }
}

/**
 * max over random unit probes x of |op(a)·(b·x) − x|∞ for row-major `d × d` a, b, where op(a) = aᵀ
 * when `transposeA` (orthogonality: a = b = Q) and a otherwise (inverse: a = A, b = A⁻¹).
 */
function probeError(a: ArrayLike<number>, b: ArrayLike<number>, d: number, transposeA: boolean): number {
  const rng = createRandom();
  let worst = 0;
  for (let p = 0; p < PROBES; p++) {
    const x = rng.fillGaussian(new Float64Array(d));
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += x[i] * x[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < d; i++) x[i] /= nrm;
    const y = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += b[i * d + j] * x[j];
      y[i] = s;
    }
    const z = new Float64Array(d);
    if (transposeA) {
      for (let i = 0; i < d; i++) {
        const yi = y[i];
        for (let j = 0; j < d; j++) z[j] += a[i * d + j] * yi;
      }
    } else {
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += a[i * d + j] * y[j];
        z[i] = s;
      }
    }
    for (let i = 0; i < d; i++) {
      const e = Math.abs(z[i] - x[i]);
      if (Number.isNaN(e)) return Number.POSITIVE_INFINITY;
      if (e > worst) worst = e;
    }
  }
  return worst;
}

/**
 * Throws unless `comp` is a valid component of its kind (see `KeyComponentKind`); the message starts
 * with `prefix` and names the component, row/block and position.
 */
export function validateComponent(name: string, comp: KeyComponent, prefix = ""): void {
  const { kind, tensor: t } = comp;
  if (!KINDS.includes(kind))
    throw new Error(`${prefix}component "${name}": unknown kind ${JSON.stringify(kind)}`);
  validateTensor(t, `${prefix}component "${name}"`);
  const c = `${prefix}component "${name}"`;
  switch (kind) {
    case "permutation": {
      requireDtype(name, kind, t, ["I32"], prefix);
      const { rows, n } = vectorRows(name, kind, t, prefix);
      for (let r = 0; r < rows; r++) {
        const defect = permutationDefect(t.data as Int32Array, n, r * n);
        if (defect !== undefined) {
          throw new Error(`${c}${t.shape.length === 2 ? ` row ${r}` : ""} is not a permutation (${defect})`);
        }
      }
      return;
    }
    case "orthogonal": {
      requireDtype(name, kind, t, ["F32", "F64"], prefix);
      const { blocks, d } = squareBlocks(name, kind, t, prefix);
      const tol = t.dtype === "F64" ? KEY_TOLERANCE_F64 : KEY_TOLERANCE_F32;
      const data = t.data as Float32Array | Float64Array;
      for (let b = 0; b < blocks; b++) {
        const q = data.subarray(b * d * d, (b + 1) * d * d);
        const err = d <= KEY_EXACT_CHECK_MAX_DIM ? orthogonalityError(q, d) : probeError(q, q, d, true);
        if (!(err <= tol)) {
          throw new Error(
            `${c}${t.shape.length === 3 ? ` block ${b}` : ""} is not orthogonal (max |QᵀQ − I| = ${err.toExponential(2)} > tolerance ${tol})`,
          );
        }
      }
      return;
    }
    case "invertible": {
      requireDtype(name, kind, t, ["F32", "F64"], prefix);
      const { blocks, d } = squareBlocks(name, kind, t, prefix);
      const inv = comp.inverse;
      if (inv === undefined) throw new Error(`${c} (invertible) has no inverse "${name}${INVERSE_SUFFIX}"`);
      validateTensor(inv, `${prefix}component "${name}${INVERSE_SUFFIX}"`);
      if (
        inv.dtype !== t.dtype ||
        inv.shape.length !== t.shape.length ||
        inv.shape.some((x, i) => x !== t.shape[i])
      ) {
        throw new Error(
          `${c}: inverse "${name}${INVERSE_SUFFIX}" must have the same dtype and shape as the component`,
        );
      }
      const tol = t.dtype === "F64" ? KEY_TOLERANCE_F64 : KEY_TOLERANCE_F32;
      const a = t.data as Float32Array | Float64Array;
      const ai = inv.data as Float32Array | Float64Array;
      for (let b = 0; b < blocks; b++) {
        const x = a.subarray(b * d * d, (b + 1) * d * d);
        const xi = ai.subarray(b * d * d, (b + 1) * d * d);
        const err = d <= KEY_EXACT_CHECK_MAX_DIM ? inverseError(x, xi, d) : probeError(x, xi, d, false);
        if (!(err <= tol)) {
          throw new Error(
            `${c}${t.shape.length === 3 ? ` block ${b}` : ""}: "${name}${INVERSE_SUFFIX}" is not its inverse (max |A·A⁻¹ − I| = ${err.toExponential(2)} > tolerance ${tol})`,
          );
        }
      }
      return;
    }
    case "scales":
    case "signs": {
      requireDtype(name, kind, t, ["F32", "F64"], prefix);
      const { n } = vectorRows(name, kind, t, prefix);
      const data = t.data as Float32Array | Float64Array;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        const bad = kind === "scales" ? v === 0 || !Number.isFinite(v) : v !== 1 && v !== -1;
        if (bad) {
          const at = t.shape.length === 2 ? `row ${Math.floor(i / n)} position ${i % n}` : `position ${i}`;
          throw new Error(`${c} ${at} is ${kind === "scales" ? "zero or not finite" : "not ±1"}`);
        }
      }
      return;
    }
    case "counts": {
      requireDtype(name, kind, t, ["I32"], prefix);
      const { n } = vectorRows(name, kind, t, prefix);
      const data = t.data as Int32Array;
      for (let i = 0; i < data.length; i++) {
        if (data[i] < 1) {
          const at = t.shape.length === 2 ? `row ${Math.floor(i / n)} position ${i % n}` : `position ${i}`;
          throw new Error(`${c} ${at} is below 1`);
        }
      }
      return;
    }
  }
}

/**
 * SHA-256 (hex) over a canonical encoding: a domain tag, formatVersion, scheme, architecture, the
 * number of components, then per component in sorted name order: name, kind, dtype, shape, and the raw
 * little-endian on-disk bytes (then the same for its inverse, if any). Strings are UTF-8 with a u32
 * little-endian length prefix; byte blocks have a u64 length prefix. Format 2 also covers
 * `reproducible` and `meta` (canonical JSON, sorted keys); the kinds are covered per component. Not
 * covered: createdAt, so that a seeded key has the same fingerprint whenever it is made; the file's
 * `ee.headerDigest` (`keyHeaderDigest`) covers it. With `loadKey` refusing metadata fields it does not
 * know, every header field is authenticated: an edited header (a changed label list, a flipped
 * `reproducible`, another creation time) is an error, never a changed result.
 */
export function fingerprintKey(key: EEKey): string {
  const h = createHash("sha256");
  const str = (s: string): void => {
    const b = Buffer.from(s, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length, 0);
    h.update(len);
    h.update(b);
  };
  const tensor = (name: string, kind: string, t: Tensor): void => {
    str(name);
    str(kind);
    str(t.dtype);
    str(JSON.stringify(t.shape));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(tensorSizeBytes(t)), 0);
    h.update(len);
    forEachTensorChunk(t, (bytes) => h.update(bytes));
  };
  str("ee-core/key-fingerprint/v2");
  str(String(key.formatVersion));
  str(key.scheme);
  str(key.architecture);
  str(String(key.reproducible));
  str(
    JSON.stringify(
      Object.keys(key.meta)
        .sort()
        .map((k) => [k, key.meta[k]]),
    ),
  );
  str(String(key.components.size));
  const names = [...key.components.keys()].sort();
  for (const n of names) {
    const c = key.components.get(n) as KeyComponent;
    tensor(n, c.kind, c.tensor);
    if (c.inverse !== undefined) tensor(n + INVERSE_SUFFIX, "inverse", c.inverse);
  }
  return h.digest("hex");
}

/** SHA-256 (hex) binding the fingerprint to the remaining header field, createdAt. */
export function keyHeaderDigest(fingerprint: string, createdAt: string): string {
  return createHash("sha256")
    .update(JSON.stringify(["ee-core/key-header/v2", fingerprint, createdAt]))
    .digest("hex");
}

function tensorSizeBytes(t: Tensor): number {
  const bytesPer = t.dtype === "F16" || t.dtype === "BF16" ? 2 : t.data.BYTES_PER_ELEMENT;
  return t.data.length * bytesPer;
}

/** Options of `saveKey`. */
export interface SaveKeyOptions {
  /** Replace an existing file at `path` (default false: an existing key is never replaced). */
  overwrite?: boolean;
}

/**
 * Save `key` to `path` (safetensors, mode 0600 even when replacing a file with another mode). An
 * existing file is refused unless `overwrite`: replacing a key makes the folders encrypted with it
 * unusable.
 */
export function saveKey(path: string, key: EEKey, opts: SaveKeyOptions = {}): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new Error(`key file ${path} is a folder; give a file path`);
  refuseExisting(path, { overwrite: opts.overwrite, what: "key file" }, "file");
  const tensors: StateDict = new Map();
  const kinds: Record<string, KeyComponentKind> = {};
  for (const [name, c] of key.components) {
    validateComponent(name, c, `saveKey ${path}: `);
    tensors.set(name, c.tensor);
    kinds[name] = c.kind;
    if (c.inverse !== undefined) tensors.set(name + INVERSE_SUFFIX, c.inverse);
  }
  const metadata: Record<string, string> = {
    [META.format]: KEY_FORMAT_TAG,
    [META.formatVersion]: String(key.formatVersion),
    [META.scheme]: key.scheme,
    [META.architecture]: key.architecture,
    [META.reproducible]: String(key.reproducible),
    [META.createdAt]: key.createdAt,
    [META.meta]: JSON.stringify(key.meta),
    [META.kinds]: JSON.stringify(kinds),
    [META.fingerprint]: fingerprintKey(key),
    [META.headerDigest]: keyHeaderDigest(fingerprintKey(key), key.createdAt),
  };
  writeSafetensors(path, tensors, metadata, { mode: 0o600 });
}

/**
 * Load and validate a key file: metadata present and well-formed, format version supported, every
 * component valid for its kind, contents matching the stored fingerprint, and `expect` met.
 */
export function loadKey(path: string, expect: KeyExpectation = {}): EEKey {
  const where = `key ${path}`;
  const { tensors, metadata } = readSafetensors(path);
  const need = (field: string): string => {
    const v = metadata[field];
    if (v === undefined) throw new Error(`${where}: metadata "${field}" is missing (not an EE key file?)`);
    return v;
  };
  if (need(META.format) !== KEY_FORMAT_TAG)
    throw new Error(`${where}: metadata "${META.format}" is not "${KEY_FORMAT_TAG}"`);
  const version = need(META.formatVersion);
  if (version === KEY_FORMAT_V1) {
    throw new Error(
      `${where}: key format 1 does not authenticate its metadata; this build reads format ${KEY_FORMAT_VERSION} only (encrypt the model again to get a new key)`,
    );
  }
  if (version !== String(KEY_FORMAT_VERSION)) {
    throw new Error(
      `${where}: key format version "${version}" is not supported (this build reads ${KEY_FORMAT_VERSION})`,
    );
  }
  const scheme = need(META.scheme);
  const architecture = need(META.architecture);
  if (expect.scheme !== undefined && scheme !== expect.scheme) {
    throw new Error(`${where}: scheme is "${scheme}", expected "${expect.scheme}"`);
  }
  if (expect.architecture !== undefined && architecture !== expect.architecture) {
    throw new Error(`${where}: architecture is "${architecture}", expected "${expect.architecture}"`);
  }
  const rep = need(META.reproducible);
  if (rep !== "true" && rep !== "false")
    throw new Error(`${where}: metadata "${META.reproducible}" must be "true" or "false"`);
  const createdAt = need(META.createdAt);
  const meta = parseJsonObject(where, META.meta, need(META.meta));
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== "string")
      throw new Error(`${where}: metadata "${META.meta}" entry "${k}" is not a string`);
  }
  const kinds = parseJsonObject(where, META.kinds, need(META.kinds));
  const stored = need(META.fingerprint);
  const known = new Set<string>(Object.values(META));
  for (const f of Object.keys(metadata)) {
    if (!known.has(f)) throw new Error(`${where}: metadata "${f}" is not part of an EE key (header edited?)`);
  }
  const key: EEKey = {
    formatVersion: KEY_FORMAT_VERSION,
    scheme,
    architecture,
    reproducible: rep === "true",
    createdAt,
    meta: meta as Record<string, string>,
    components: new Map(),
  };
  const used = new Set<string>();
  for (const [name, kindRaw] of Object.entries(kinds)) {
    if (typeof kindRaw !== "string" || !KINDS.includes(kindRaw as KeyComponentKind)) {
      throw new Error(`${where}: component "${name}" has unknown kind ${JSON.stringify(kindRaw)}`);
    }
    const kind = kindRaw as KeyComponentKind;
    const tensor = tensors.get(name);
    if (tensor === undefined)
      throw new Error(`${where}: component "${name}" is listed in "${META.kinds}" but has no tensor`);
    used.add(name);
    const comp: KeyComponent = { kind, tensor };
    if (kind === "invertible") {
      const inv = tensors.get(name + INVERSE_SUFFIX);
      if (inv !== undefined) {
        comp.inverse = inv;
        used.add(name + INVERSE_SUFFIX);
      }
    }
    validateComponent(name, comp, `${where}: `);
    key.components.set(name, comp);
  }
  for (const name of tensors.keys()) {
    if (!used.has(name))
      throw new Error(`${where}: tensor "${name}" is not a component listed in "${META.kinds}"`);
  }
  const fp = fingerprintKey(key);
  if (fp !== stored)
    throw new Error(
      `${where}: contents or metadata do not match the stored fingerprint (file altered or corrupted)`,
    );
  if (need(META.headerDigest) !== keyHeaderDigest(fp, createdAt))
    throw new Error(`${where}: metadata do not match the stored header digest (file altered or corrupted)`);
  if (expect.fingerprint !== undefined && fp !== expect.fingerprint.toLowerCase()) {
    throw new Error(`${where}: fingerprint ${fp} does not match the expected ${expect.fingerprint}`);
  }
  return key;
}

function parseJsonObject(where: string, field: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${where}: metadata "${field}" is not valid JSON`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`${where}: metadata "${field}" is not a JSON object`);
  return v as Record<string, unknown>;
}

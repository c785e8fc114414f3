/**
 * Typed field readers for Hugging Face config.json objects. Every error names the source (file or
 * preset) and the field, e.g. `config.json: field hidden_size must be a positive integer, got "768"`.
 */

/** The JSON object, or an error naming `source`. */
export function asObject(json: unknown, source: string): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(
      `${source}: expected a JSON object, got ${Array.isArray(json) ? "an array" : typeof json}`,
    );
  }
  return json as Record<string, unknown>;
}

function describe(v: unknown): string {
  return v === undefined ? "nothing (field missing)" : JSON.stringify(v);
}

/** A positive (or, with `min: 0`, non-negative) integer field; `dflt` when absent. */
export function readInt(
  o: Record<string, unknown>,
  key: string,
  source: string,
  dflt?: number,
  min = 1,
): number {
  const v = o[key] ?? dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new Error(`${source}: field ${key} must be an integer ≥ ${min}, got ${describe(o[key])}`);
  }
  return v;
}

/** A finite positive number field; `dflt` when absent. */
export function readPositive(o: Record<string, unknown>, key: string, source: string, dflt?: number): number {
  const v = o[key] ?? dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${source}: field ${key} must be a positive number, got ${describe(o[key])}`);
  }
  return v;
}

/** A string field; `dflt` when absent. */
export function readString(o: Record<string, unknown>, key: string, source: string, dflt?: string): string {
  const v = o[key] ?? dflt;
  if (typeof v !== "string")
    throw new Error(`${source}: field ${key} must be a string, got ${describe(o[key])}`);
  return v;
}

/** Throws unless `value` is one of `allowed`. */
export function expectOneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  key: string,
  source: string,
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(
      `${source}: field ${key} = ${JSON.stringify(value)} is not supported (supported: ${allowed.join(", ")})`,
    );
  }
  return value as T;
}

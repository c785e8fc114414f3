/**
 * Acquisition errors, as a union of kinds, each with a one-line message that says what to do.
 */

/** Why a file could not be acquired. */
export type FetchErrorKind =
  | "not-found" // the origin answered 404
  | "gated" // 401/403: the repository is gated or private
  | "checksum" // the bytes did not match the pinned sha256
  | "offline" // not in the mirror or cache, and offline
  | "http" // another HTTP status, after retries where they apply
  | "network" // the origin could not be reached, after retries
  | "unknown-file"; // no origin is known for a logical path

/** An acquisition failure. `kind` says which; the message is the one line to show. */
export class FetchError extends Error {
  /** Which failure. */
  readonly kind: FetchErrorKind;
  /** HTTP status when the origin answered one. */
  readonly status: number | undefined;
  constructor(kind: FetchErrorKind, message: string, status?: number) {
    super(message);
    this.name = "FetchError";
    this.kind = kind;
    this.status = status;
  }
}

/** The message for a 401/403 from the Hub: how to get access. */
export function gatedMessage(repo: string, status: number, endpoint: string, hasToken: boolean): string {
  const page = `${endpoint}/${repo}`;
  return hasToken
    ? `${repo}: HTTP ${status} — your HF_TOKEN has no access to this gated/private repository. Accept the licence on ${page} with the account that owns the token, then retry.`
    : `${repo}: HTTP ${status} — this repository is gated or private. Accept the licence on ${page}, create a read token at ${endpoint}/settings/tokens and set HF_TOKEN to it, then retry.`;
}

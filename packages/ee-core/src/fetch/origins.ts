/**
 * Origins: where a file's exact bytes can be fetched. GitHub raw at a pinned commit
 * (`{raw}/{owner}/{repo}/{commit}/{path}`) and the Hugging Face Hub
 * (`{endpoint}/{repo}/resolve/{rev}/{path}`, datasets under `{endpoint}/datasets/…`).
 */
import type { FetchSettings } from "./settings.js";

/** A file in a GitHub repository at one commit. */
export interface GithubOrigin {
  kind: "github";
  /** `owner/name`. */
  repo: string;
  /** Full commit hash (40 hex). */
  commit: string;
  /** Path inside the repository (POSIX). */
  path: string;
}

/** A file in a Hugging Face Hub repository at one revision. */
export interface HubOrigin {
  kind: "hub";
  /** Model or dataset repository. */
  repoType: "model" | "dataset";
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit hash. */
  revision: string;
  /** Path inside the repository (POSIX). */
  path: string;
}

/** Any origin. */
export type Origin = GithubOrigin | HubOrigin;

/** Percent-encodes each path segment, keeping the slashes. */
function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

/** The URL of `origin` under `settings`' base URLs. */
export function originUrl(origin: Origin, settings: FetchSettings): string {
  if (origin.kind === "github") {
    return `${settings.githubRawUrl}/${origin.repo}/${origin.commit}/${encodePath(origin.path)}`;
  }
  const prefix = origin.repoType === "dataset" ? "datasets/" : "";
  return `${settings.hfEndpoint}/${prefix}${origin.repo}/resolve/${encodeURIComponent(origin.revision)}/${encodePath(origin.path)}`;
}

/** A Hub repository reference as written on the command line: `hf:owner/name[@revision]`. */
export interface HubRef {
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit (default `main`). */
  revision: string;
}

/** True when `s` is written `hf:…`. */
export function isHubRef(s: string): boolean {
  return s.startsWith("hf:");
}

/** Parses `hf:owner/name[@rev]`; an Error naming the text when it is not one. */
export function parseHubRef(s: string): HubRef {
  const m = /^hf:([A-Za-z0-9][\w.-]*\/[\w.-]+)(?:@([\w./-]+))?$/.exec(s);
  if (!m) throw new Error(`"${s}" is not a Hub reference: write hf:OWNER/NAME or hf:OWNER/NAME@REVISION`);
  return { repo: m[1], revision: m[2] ?? "main" };
}

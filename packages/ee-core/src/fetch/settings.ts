/**
 * Where files come from and go to, read once from the environment: origin base URLs, the Hub token,
 * the two caches and offline mode. Every other file of the acquisition layer takes a `FetchSettings`.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Resolved acquisition settings (all paths absolute). */
export interface FetchSettings {
  /** Base of GitHub raw URLs (`EE_GITHUB_RAW_URL`, default https://raw.githubusercontent.com), no trailing slash. */
  githubRawUrl: string;
  /** Hugging Face Hub endpoint (`HF_ENDPOINT`, default https://huggingface.co), no trailing slash. */
  hfEndpoint: string;
  /** Hub access token (`HF_TOKEN`), sent only to the Hub endpoint; never logged. */
  hfToken: string | undefined;
  /** Hugging Face home (`HF_HOME`, default ~/.cache/huggingface); Hub files live in `<hfHome>/hub`. */
  hfHome: string;
  /** Cache of every non-Hub origin (`EE_CACHE_DIR`, default ~/.cache/ee-bench). */
  cacheDir: string;
  /** True: never touch the network (`HF_HUB_OFFLINE=1`, `EE_OFFLINE=1` or an explicit option). */
  offline: boolean;
}

function trimSlash(u: string): string {
  return u.replace(/\/+$/, "");
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** Settings from `env`; `overrides` win (e.g. `{ offline: true }` from `--offline`). */
export function fetchSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<FetchSettings> = {},
): FetchSettings {
  const home = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  const xdg = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(home, ".cache");
  const nonEmpty = (v: string | undefined) => (v !== undefined && v.length > 0 ? v : undefined);
  return {
    githubRawUrl: trimSlash(nonEmpty(env.EE_GITHUB_RAW_URL) ?? "https://raw.githubusercontent.com"),
    hfEndpoint: trimSlash(nonEmpty(env.HF_ENDPOINT) ?? "https://huggingface.co"),
    hfToken: nonEmpty(env.HF_TOKEN),
    hfHome: resolve(nonEmpty(env.HF_HOME) ?? join(xdg, "huggingface")),
    cacheDir: resolve(nonEmpty(env.EE_CACHE_DIR) ?? join(xdg, "ee-bench")),
    offline: truthy(env.HF_HUB_OFFLINE) || truthy(env.EE_OFFLINE),
    ...overrides,
  };
}

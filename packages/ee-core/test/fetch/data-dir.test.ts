/** The one data-directory resolver: --data-dir → EE_DATA_DIR → ../shared/datasets → the cache view. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataFile, findMirror, resolveDataDir } from "../../src/fetch/data-dir.js";
import { findRepoRoot } from "../../src/fetch/repo-root.js";
import { fetchSettings } from "../../src/fetch/settings.js";

/** A fake checkout `<tmp>/repo` (package.json with workspaces), optionally with `<tmp>/shared/datasets`. */
function fakeCheckout(withMirror: boolean): { root: string; mirror: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), "ee-dd-"));
  const root = join(base, "repo");
  mkdirSync(root);
  writeFileSync(join(root, "package.json"), JSON.stringify({ workspaces: ["packages/*"] }));
  const mirror = join(base, "shared", "datasets");
  if (withMirror) mkdirSync(mirror, { recursive: true });
  const home = join(base, "home");
  mkdirSync(home);
  return { root, mirror, home };
}

describe("data directory", () => {
  it("finds the repo root and the mirror beside it", () => {
    const c = fakeCheckout(true);
    expect(findRepoRoot(join(c.root))).toBe(c.root);
    expect(findMirror({ env: {}, repoRoot: c.root })).toEqual({ dir: c.mirror, source: "beside-repo" });
    expect(resolveDataDir({ env: { HOME: c.home }, repoRoot: c.root })).toBe(c.mirror);
  });

  it("--data-dir wins over EE_DATA_DIR, which wins over the mirror; bad ones are named", () => {
    const c = fakeCheckout(true);
    const d = mkdtempSync(join(tmpdir(), "ee-data-"));
    expect(findMirror({ env: { EE_DATA_DIR: d }, repoRoot: c.root })).toEqual({
      dir: d,
      source: "EE_DATA_DIR",
    });
    expect(findMirror({ explicit: c.home, env: { EE_DATA_DIR: d }, repoRoot: c.root })?.source).toBe(
      "option",
    );
    expect(() => resolveDataDir({ env: { EE_DATA_DIR: join(d, "nope") } })).toThrow(
      `EE_DATA_DIR=${join(d, "nope")}: not a directory`,
    );
    expect(() => findMirror({ explicit: "/nonexistent/data" })).toThrow(
      /--data-dir.*EE_DATA_DIR.*imdb_aclImdb/s,
    );
    expect(() => dataFile("model_files/x.json", d)).toThrow(
      `data file ${join(d, "model_files/x.json")} not found`,
    );
  });

  it("with no mirror: the cache's data view once something was fetched, else an error saying what to run", () => {
    const c = fakeCheckout(false);
    const env = { HOME: c.home };
    expect(findMirror({ env, repoRoot: c.root })).toBeUndefined();
    expect(() => resolveDataDir({ env, repoRoot: c.root })).toThrow(
      /no data: .*npm run ee -- fetch --suite default/,
    );
    const view = join(fetchSettings(env).cacheDir, "data");
    expect(view).toBe(join(c.home, ".cache", "ee-bench", "data"));
    mkdirSync(join(view, "mt_bench"), { recursive: true });
    expect(resolveDataDir({ env, repoRoot: c.root })).toBe(view);
  });

  it("settings: defaults, overrides from the environment, offline flags", () => {
    const s = fetchSettings({ HOME: "/h" });
    expect(s).toEqual({
      githubRawUrl: "https://raw.githubusercontent.com",
      hfEndpoint: "https://huggingface.co",
      hfToken: undefined,
      hfHome: "/h/.cache/huggingface",
      cacheDir: "/h/.cache/ee-bench",
      offline: false,
    });
    const t = fetchSettings({
      HOME: "/h",
      EE_GITHUB_RAW_URL: "http://127.0.0.1:1/",
      HF_ENDPOINT: "http://hub/",
      HF_HOME: "/hf",
      EE_CACHE_DIR: "/c",
      HF_HUB_OFFLINE: "1",
    });
    expect([t.githubRawUrl, t.hfEndpoint, t.hfHome, t.cacheDir, t.offline]).toEqual([
      "http://127.0.0.1:1",
      "http://hub",
      "/hf",
      "/c",
      true,
    ]);
    expect(fetchSettings({ HOME: "/h", EE_OFFLINE: "true" }).offline).toBe(true);
  });
});

/** Test helpers: a temporary cache/HF home and the loopback origin serving the data directory. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type OriginServer,
  type OriginServerOptions,
  startOriginServer,
} from "../../../../scripts/origin-server.mjs";
import { resolveDataDir } from "../../src/fetch/data-dir.js";
import { defaultOriginsManifestPath } from "../../src/fetch/manifest.js";
import { type FetchSettings, fetchSettings } from "../../src/fetch/settings.js";

/** Settings with a fresh empty cache and HF home, pointed at `server`. */
export function tempSettings(server: OriginServer, over: Partial<FetchSettings> = {}): FetchSettings {
  const dir = mkdtempSync(join(tmpdir(), "ee-fetch-"));
  return fetchSettings(
    {},
    {
      githubRawUrl: server.url,
      hfEndpoint: server.url,
      hfToken: undefined,
      cacheDir: join(dir, "ee-cache"),
      hfHome: join(dir, "hf"),
      offline: false,
      ...over,
    },
  );
}

/** The loopback origin answering GitHub-raw paths from the test data directory (mirror or cache view). */
export function startDataOrigin(extra: OriginServerOptions = {}): Promise<OriginServer> {
  return startOriginServer({ dataDir: resolveDataDir(), tsvFiles: [defaultOriginsManifestPath()], ...extra });
}

/** Fast retries for tests. */
export const FAST = { attempts: 4, backoffMs: 10 } as const;

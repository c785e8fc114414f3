// vitest globalSetup of every package (vitest.shared.ts): makes sure the data the tests read is
// present before any test runs — from the mirror when there is one, else the cache, else the pinned
// origins (EE_GITHUB_RAW_URL / raw.githubusercontent.com). When none works, every package's tests fail
// with this one message instead of skipping.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The logical paths (files or folders) the tests of all packages read. */
export const TEST_DATA = ["imdb_aclImdb/test", "mt_bench", "sharegpt_ml-energy", "model_files"];

export default async function setup() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const core = join(root, "packages", "ee-core", "dist", "index.js");
  if (!existsSync(core)) throw new Error(`test data setup: ${core} is missing; run \`npm run build\` first`);
  const { acquireFiles, fetchSettings } = await import(core);
  const s = fetchSettings();
  try {
    const r = await acquireFiles(TEST_DATA, { progress: process.stderr, settings: s });
    if (r.bySource.origin.files > 0) {
      process.stderr.write(
        `test data: fetched ${r.bySource.origin.files} files (${r.transferredBytes} bytes) from ${s.githubRawUrl} into ${r.root}\n`,
      );
    }
  } catch (e) {
    throw new Error(
      `test data unavailable — no mirror (EE_DATA_DIR unset, no ../shared/datasets beside the repository), not in the cache ${s.cacheDir}, and the origin failed: ${e.message}\n` +
        `Make the origin reachable (network access to ${s.githubRawUrl}, or EE_GITHUB_RAW_URL pointing at a served mirror: node scripts/serve-origin.mjs), or set EE_DATA_DIR to a mirror; then rerun the tests (they fetch what they read, 16 MB, once).`,
    );
  }
}

/**
 * Where the public data mirror lives: `EE_DATA_DIR`, else `<repo>/../shared/datasets` when it exists.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The data directory, or an Error saying how to set it. */
export function resolveDataDir(): string {
  const env = process.env.EE_DATA_DIR;
  if (env) {
    if (!existsSync(env)) throw new Error(`EE_DATA_DIR=${env} does not exist`);
    return env;
  }
  // this file is <repo>/packages/ee-attacks/{src,dist}/bench/data-dir.*
  const fallback = fileURLToPath(new URL("../../../../../shared/datasets", import.meta.url));
  if (existsSync(fallback)) return fallback;
  throw new Error(`no data directory: set EE_DATA_DIR (looked for ${fallback})`);
}

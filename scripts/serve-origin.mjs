#!/usr/bin/env node
// Serves a data mirror as its GitHub-raw origin on 127.0.0.1, for manual checks:
//   node scripts/serve-origin.mjs [mirrorDir] [port]     (default ../shared/datasets, port 8765)
//   EE_GITHUB_RAW_URL=http://127.0.0.1:8765 npm run ee -- fetch --suite default
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startOriginServer } from "./origin-server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = resolve(process.argv[2] ?? join(root, "..", "shared", "datasets"));
const port = Number(process.argv[3] ?? 8765);
const tsvFiles = [join(dataDir, "MANIFEST.tsv"), join(root, "datasets", "origins.tsv")].filter(existsSync);
const server = await startOriginServer({ dataDir, tsvFiles, port });
console.log(`serving ${dataDir} as the GitHub-raw origin at ${server.url} (Ctrl-C stops)`);
console.log(`  EE_GITHUB_RAW_URL=${server.url}`);

#!/usr/bin/env node
// Generates datasets/origins.tsv (metadata only: path, bytes, sha256, origin repo/path/commit) from a
// mirror's MANIFEST.tsv. Every mirrored file is listed except those under the prefixes in SKIP, which
// no suite, dataset manifest or test reads.
//   node scripts/gen-origins.mjs [path/to/MANIFEST.tsv]   (default ../shared/datasets/MANIFEST.tsv)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = resolve(process.argv[2] ?? join(root, "..", "shared", "datasets", "MANIFEST.tsv"));
const COLUMNS = ["path", "bytes", "sha256", "origin_repo", "origin_path", "origin_commit"];
const SKIP = ["sharegpt_venkat2811/"];

const lines = readFileSync(src, "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");
const header = lines[0].split("\t");
const idx = COLUMNS.map((c) => {
  const i = header.indexOf(c);
  if (i < 0) throw new Error(`${src}: no column ${c}`);
  return i;
});
const rows = lines
  .slice(1)
  .map((l) => l.split("\t"))
  .filter((cols) => !SKIP.some((p) => cols[idx[0]].startsWith(p)))
  .map((cols) => idx.map((i) => cols[i]).join("\t"))
  .sort();
const out = join(root, "datasets", "origins.tsv");
writeFileSync(out, `${COLUMNS.join("\t")}\n${rows.join("\n")}\n`);
console.log(`${out}: ${rows.length} files from ${src}`);

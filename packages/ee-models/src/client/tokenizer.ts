/**
 * The client's tokenizer. An encrypted folder carries none (docs/design.md §5): the client tokenizes with
 * the plain model's tokenizer — from a folder holding its files (e.g. the plain model folder), or
 * from the tokenizer registry (files from the data directory), by default the one named in ee.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { checkClientTokenizer, type EEManifest } from "../encrypt/manifest.js";
import { loadTokenizer } from "../tokenizers/load.js";
import { getTokenizerSource } from "../tokenizers/registry.js";

/** Where the client's tokenizer comes from. */
export interface ClientTokenizerOptions {
  /** A folder with `tokenizer.json` and `tokenizer_config.json` (e.g. the plain model folder). */
  tokenizerDir?: string;
  /** Tokenizer registry key; default: ee.json's `tokenizer`. */
  tokenizer?: string;
  /** Data directory for registry tokenizers (default `resolveDataDir()`). */
  dataDir?: string;
}

/** The client's tokenizer, or undefined when none is named (ids-only use). */
export async function loadClientTokenizer(
  manifest: EEManifest,
  opts: ClientTokenizerOptions,
  encDir = "the encrypted folder",
): Promise<PreTrainedTokenizer | undefined> {
  if (opts.tokenizerDir !== undefined) {
    checkClientTokenizer(manifest, opts.tokenizerDir, encDir);
    return loadTokenizer(opts.tokenizerDir);
  }
  const name = opts.tokenizer ?? manifest.tokenizer;
  if (name === undefined) return undefined;
  const files = getTokenizerSource(name).files(opts.dataDir);
  const dir = mkdtempSync(join(tmpdir(), "ee-client-tokenizer-"));
  try {
    for (const f of files.files) writeFileSync(join(dir, f.name), f.data);
    return await loadTokenizer(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The untrusted server holds a model folder and nothing else: no key, no tokenizer. Before it opens
 * anything, `checkServableFolder` walks the folder and refuses one that holds either:
 * - a key: a file named like one (`*.key`, `key*.safetensors`, `*-key.safetensors`), or any
 *   safetensors file whose header says `"ee.format": "ee-key"` (only the header is read);
 * - a tokenizer: any of the files Hugging Face tokenizers are made of.
 */
import { closeSync, openSync, readdirSync, readSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** File names that are (part of) a tokenizer. */
export const TOKENIZER_FILES: readonly string[] = [
  "tokenizer.json",
  "tokenizer_config.json",
  "tokenizer.model",
  "special_tokens_map.json",
  "added_tokens.json",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
  "spiece.model",
  "sentencepiece.bpe.model",
];

const KEY_NAME = /(^key.*\.safetensors$)|([-_.]key\.safetensors$)|(\.key$)|(\.eekey$)/i;

/** Largest safetensors header read when looking for the key marker (bytes). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** Whether the safetensors file at `path` has the key files' metadata marker (header only). */
function hasKeyMarker(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const lenBuf = Buffer.alloc(8);
    if (readSync(fd, lenBuf, 0, 8, 0) < 8) return false;
    const len = Number(lenBuf.readBigUInt64LE(0));
    if (len <= 0 || len > MAX_HEADER_BYTES) return false;
    const head = Buffer.alloc(len);
    readSync(fd, head, 0, len, 8);
    const text = head.toString("utf8");
    return /"ee\.format"\s*:\s*"ee-key"/.test(text);
  } finally {
    closeSync(fd);
  }
}

/** Every file under `dir` (paths), at most `depth` folders down. */
function filesUnder(dir: string, depth = 3): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && depth > 0) out.push(...filesUnder(p, depth - 1));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Throw, naming the file, when `folder` holds a key or a tokenizer; otherwise return its absolute path. */
export function checkServableFolder(folder: string): string {
  const dir = resolve(folder);
  for (const path of filesUnder(dir)) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const rel = relative(dir, path);
    if (KEY_NAME.test(name) || (name.endsWith(".safetensors") && hasKeyMarker(path)))
      throw new Error(
        `${dir}: refusing to serve a folder that holds a key file (${rel}); keys stay with the client`,
      );
    if (TOKENIZER_FILES.includes(name))
      throw new Error(
        `${dir}: refusing to serve a folder that holds a tokenizer (${rel}); the server sees token ids only — serve a copy without the tokenizer files (${TOKENIZER_FILES.slice(0, 2).join(", ")}, …)`,
      );
  }
  return dir;
}

/**
 * A Hugging Face-format model folder (config.json + model.safetensors or shards + index, plain or
 * encrypted with ee.json: what `ee build --format hf` and `ee encrypt --format hf` write) opened where
 * an ONNX folder is expected: built once into `<cacheDir>/onnx-from-hf/<id>` (what `ee build <folder>`
 * writes) and reused while the folder is unchanged. The id is a SHA-256 over the digests of the files
 * the build reads — config.json, ee.json, the weights (index and every shard) and tokenizer files —
 * taken through the client's stat-keyed digest cache, so an unchanged 16 GB folder costs a few stats
 * and a changed one is built again. An ONNX folder is returned as it is.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  acquireLock,
  fetchSettings,
  type HeldLock,
  LockedError,
  SAFETENSORS_INDEX_FILE,
  SAFETENSORS_SINGLE_FILE,
  writeFolderSafe,
} from "ee-core";
import { buildModel, detectFormat, FileDigests, readFolderConfig } from "ee-models";
import { TOKENIZER_FILES } from "ee-serve";

/** Version of the cache layout and build recipe: a change here rebuilds every entry. */
const RECIPE = "onnx-from-hf/1 fused=false";

/** PyTorch's single-file checkpoint (read when no safetensors are present, as `ee build` does). */
const PYTORCH_FILE = "pytorch_model.bin";

/** Options of `onnxFolderFor`. */
export interface OnnxFolderOptions {
  /** Cache root (path); default the fetch layer's cache dir (`EE_CACHE_DIR`, ~/.cache/ee-bench). */
  cacheDir?: string;
  /** Rehash every file instead of trusting the digest cache (flag); default `EE_VERIFY_FULL`. */
  verifyFull?: boolean;
  /** Progress lines (text); default stderr. */
  log?: (line: string) => void;
}

/** The ONNX folder to open for a model folder, and how it was found. */
export interface OnnxFolder {
  /** The ONNX folder (absolute path): the folder itself, or its cached build. */
  dir: string;
  /** The folder the user named (absolute path). */
  source: string;
  /** The source folder's format. */
  format: "onnx" | "hf";
  /** `built`: converted now; `cached`: an earlier build reused; `none`: already ONNX. */
  conversion: "built" | "cached" | "none";
}

/** The shards an index names (file names), each checked to exist; errors name the file. */
function indexShards(dir: string): string[] {
  const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (e) {
    throw new Error(`${indexPath}: not valid JSON (${(e as Error).message})`);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== "object" || Array.isArray(map))
    throw new Error(`${indexPath}: field "weight_map" is missing or not an object`);
  const shards = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const s of shards) {
    if (typeof s !== "string" || s.length === 0 || /[\\/]/.test(s) || s === "..")
      throw new Error(`${indexPath}: field "weight_map" names an invalid shard file ${JSON.stringify(s)}`);
    if (!existsSync(join(dir, s)))
      throw new Error(`${join(dir, s)}: missing; ${indexPath} lists it as a shard`);
  }
  return shards.sort() as string[];
}

/** The files of an HF folder that the ONNX build reads (relative names, sorted); errors name what is missing. */
export function hfBuildInputs(dir: string): string[] {
  const files = ["config.json"];
  if (existsSync(join(dir, SAFETENSORS_INDEX_FILE))) files.push(SAFETENSORS_INDEX_FILE, ...indexShards(dir));
  else if (existsSync(join(dir, SAFETENSORS_SINGLE_FILE))) files.push(SAFETENSORS_SINGLE_FILE);
  else if (existsSync(join(dir, PYTORCH_FILE))) files.push(PYTORCH_FILE);
  else
    throw new Error(
      `model folder ${dir}: no weights (neither onnx/model.onnx, ${SAFETENSORS_INDEX_FILE}, ${SAFETENSORS_SINGLE_FILE} nor ${PYTORCH_FILE})`,
    );
  if (existsSync(join(dir, "ee.json"))) files.push("ee.json");
  for (const t of TOKENIZER_FILES) if (existsSync(join(dir, t))) files.push(t);
  return files.sort();
}

/** The cache id of an HF folder: SHA-256 over the recipe and each input's name and digest (hex). */
function cacheId(dir: string, files: string[], verifyFull: boolean | undefined): string {
  const digests = FileDigests.open({ verifyFull });
  try {
    const lines = files.map((f) => `${f}\t${digests.sha256(join(dir, f))}`);
    return createHash("sha256")
      .update([RECIPE, ...lines].join("\n"))
      .digest("hex");
  } finally {
    digests.save();
  }
}

/** Lock a cache entry, saying so when another process holds it (waits up to 2 h). */
async function lockEntry(path: string, what: string, log: (line: string) => void): Promise<HeldLock> {
  try {
    return await acquireLock(path, { what });
  } catch (e) {
    if (!(e instanceof LockedError)) throw e;
    log(`${e.message}; waiting`);
    return acquireLock(path, { what, timeoutMs: 2 * 3600_000, pollMs: 500 });
  }
}

/**
 * Remember that `source`'s build is now `entry`, and delete the build it had before (a changed
 * folder leaves no stale copy of a possibly 30 GB graph behind). Builds are shared by content, so
 * another folder with the previous content builds it again when it next needs it.
 */
function dropPreviousBuild(root: string, source: string, entry: string): void {
  const pointer = join(root, `${createHash("sha256").update(source).digest("hex").slice(0, 16)}.source`);
  const previous = existsSync(pointer) ? readFileSync(pointer, "utf8").trim() : "";
  if (/^[0-9a-f]{32}$/.test(previous) && previous !== entry)
    rmSync(join(root, previous), { recursive: true, force: true });
  writeFileSync(pointer, `${entry}\n`);
}

/**
 * The ONNX folder for `dir`: `dir` itself when it has `onnx/model.onnx`; for an HF-format folder, its
 * cached build (built now when absent or when any input changed). Errors name the folder or file.
 */
export async function onnxFolderFor(dir: string, opts: OnnxFolderOptions = {}): Promise<OnnxFolder> {
  const source = resolve(dir);
  if (!existsSync(source) || !statSync(source).isDirectory())
    throw new Error(`model folder ${source}: not found (or not a folder)`);
  if (detectFormat(source) === "onnx") return { dir: source, source, format: "onnx", conversion: "none" };
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cfg = readFolderConfig(source); // config.json present, valid and of a known architecture
  const inputs = hfBuildInputs(source);
  const id = cacheId(source, inputs, opts.verifyFull);
  const root = join(resolve(opts.cacheDir ?? fetchSettings().cacheDir), "onnx-from-hf");
  mkdirSync(root, { recursive: true });
  const out = join(root, id.slice(0, 32));
  const lock = await lockEntry(join(root, `${id.slice(0, 32)}.lock`), `ONNX build of ${source}`, log);
  try {
    if (existsSync(join(out, "onnx", "model.onnx"))) {
      log(`ee: ${source} (Hugging Face format): using its ONNX build ${out}`);
      return { dir: out, source, format: "hf", conversion: "cached" };
    }
    const what = `${cfg.arch}${cfg.eeJson ? ", encrypted" : ""}`;
    log(`ee: ${source} (Hugging Face format, ${what}): building ONNX once → ${out}`);
    const t0 = performance.now();
    await writeFolderSafe(
      out,
      (tmp) => buildModel({ weightsDir: source, outDir: tmp, format: "onnx", fused: false, warn: log }),
      { overwrite: true, what: "cached ONNX build" },
    );
    log(`ee: built ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    dropPreviousBuild(root, source, id.slice(0, 32));
    return { dir: out, source, format: "hf", conversion: "built" };
  } finally {
    lock.release();
  }
}

/** Cached ONNX builds under `cacheDir` (folder names), for listings and tests. */
export function cachedOnnxBuilds(cacheDir: string): string[] {
  const root = join(cacheDir, "onnx-from-hf");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, "onnx", "model.onnx")))
    .map((e) => e.name)
    .sort();
}

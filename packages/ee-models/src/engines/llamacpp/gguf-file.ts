/**
 * Which GGUF file the engine opens for a model folder:
 * - the folder argument itself when it names a `.gguf` file;
 * - `extra.gguf` (a file path) when given;
 * - else `<folder>/model-<type>.gguf` with `extra.type` (`f32` default, `f16`, `q8_0`), as
 *   `ee export <folder> --format gguf --type <type>` writes it. With `extra.exportIfMissing: true` the
 *   engine writes that file first when it is missing; otherwise a missing file is an error that says
 *   which command writes it.
 */
import { existsSync, statSync } from "node:fs";
import { defaultGgufPath, exportLlamaGguf } from "../../export/gguf/export.js";
import { GGML_TYPES, type GgmlTypeName } from "../../export/gguf/tensor-types.js";
import type { EngineOptions } from "../engine.js";

/** `extra` keys this engine understands. */
export const LLAMACPP_EXTRA_KEYS = [
  "type",
  "gguf",
  "exportIfMissing",
  "contextSize",
  "batchSize",
  "kvCacheType",
] as const;

/** Where the GGUF is and which type it was asked as. */
export interface GgufChoice {
  /** The GGUF file (path). */
  readonly path: string;
  /** Requested weight type, when chosen by type (else from the file). */
  readonly type: GgmlTypeName | null;
}

/** Resolve the GGUF for `folder` and `opts.extra` (see the module comment). */
export function chooseGguf(folder: string, extra: EngineOptions["extra"] = {}): GgufChoice {
  if (folder.endsWith(".gguf") && existsSync(folder) && statSync(folder).isFile())
    return { path: folder, type: null };
  if (extra.gguf !== undefined) {
    if (typeof extra.gguf !== "string") throw new Error(`llamacpp engine: extra.gguf must be a file path`);
    return { path: extra.gguf, type: null };
  }
  const type = (extra.type ?? "f32") as GgmlTypeName;
  if (typeof type !== "string" || !(type in GGML_TYPES))
    throw new Error(
      `llamacpp engine: extra.type must be one of ${Object.keys(GGML_TYPES).join(", ")}, got ${JSON.stringify(extra.type)}`,
    );
  const path = defaultGgufPath(folder, type);
  if (!existsSync(path)) {
    if (extra.exportIfMissing === true) exportLlamaGguf(folder, { type, out: path });
    else
      throw new Error(
        `llamacpp engine: ${path} not found; write it with: ee export ${folder} --format gguf --type ${type}`,
      );
  }
  return { path, type };
}

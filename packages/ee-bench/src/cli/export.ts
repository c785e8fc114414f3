/**
 * `ee export <model-folder> --format gguf --type f32|f16|q8_0 [--out FILE] [--overwrite]`: a plain or
 * encrypted Llama folder as one GGUF file for llama.cpp (an encrypted folder's GGUF carries no
 * vocabulary, only token ids).
 */
import { exportLlamaGguf, GGML_TYPES, type GgmlTypeName } from "ee-models";

/** Options of `ee export`. */
export interface ExportCliOptions {
  /** Output format; only `gguf` today. */
  format: string;
  /** GGUF element type of the 2-D weights. */
  type: string;
  /** Output file (default `<folder>/model-<type>.gguf`). */
  out?: string;
  /** Replace an existing output file (flag). */
  overwrite?: boolean;
}

/** Write the export and print what was written. */
export async function exportCommand(folder: string, opts: ExportCliOptions): Promise<void> {
  if (opts.format !== "gguf") throw new Error(`--format must be "gguf", got "${opts.format}"`);
  if (!(opts.type in GGML_TYPES))
    throw new Error(`--type must be one of ${Object.keys(GGML_TYPES).join(", ")}, got "${opts.type}"`);
  const r = exportLlamaGguf(folder, {
    type: opts.type as GgmlTypeName,
    out: opts.out,
    overwrite: opts.overwrite,
  });
  const vocab =
    r.vocab === "no_vocab"
      ? `no vocabulary (token ids only)${r.vocabNote ? `: ${r.vocabNote}` : ""}`
      : "Llama 3 BPE vocabulary";
  process.stdout.write(
    `wrote ${r.path} (${r.type}, ${(r.fileBytes / 2 ** 20).toFixed(1)} MiB, ${r.encrypted ? "encrypted" : "plain"} model, ${vocab}) in ${r.seconds.toFixed(1)} s\n`,
  );
}

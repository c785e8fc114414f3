/**
 * `ee infer <dir> --text "…" [--key <file>]`: plain inference, or — with a key — the EE client
 * protocol (tokenize and encrypt ids here, run the encrypted model, decrypt here). Both print the same
 * form, so a user can diff them.
 */
import {
  type Device,
  getArchitecture,
  inferClassifier,
  inferEncrypted,
  inferLlama,
  readModelFolder,
} from "ee-models";

/** Options of `ee infer` (as commander parses them). */
export interface InferCliOptions {
  /** Input text. */
  text: string;
  /** Key file: the folder is encrypted (path). */
  key?: string;
  /** Plain model folder whose tokenizer the client uses (path). */
  tokenizer?: string;
  /** Llama: tokens to generate (tokens). */
  maxNewTokens: number;
  /** Print JSON (flag). */
  json?: boolean;
  /** Execution provider. */
  device: Device;
}

/** What `ee infer` prints, for either task. */
interface Printable {
  /** The result as JSON. */
  json: unknown;
  /** The result as text lines. */
  text: string;
}

function llamaPrintable(r: Awaited<ReturnType<typeof inferLlama>>): Printable {
  const speed = Number.isFinite(r.tokensPerSec) ? `, ${r.tokensPerSec.toFixed(1)} tokens/s` : "";
  return {
    json: r,
    text:
      `${r.text}\n` +
      `-- ${r.tokenIds.length} tokens (${r.finishReason}), prompt ${r.promptTokens} tokens, ` +
      `first-token p=${r.firstTokenProb.toFixed(4)}, TTFT ${r.timeToFirstTokenMs.toFixed(0)} ms${speed}`,
  };
}

async function plain(dir: string, opts: InferCliOptions): Promise<Printable> {
  const folder = readModelFolder(dir);
  if (folder.eeJson !== undefined) {
    throw new Error(`${folder.dir} is an encrypted model folder (has ee.json): pass --key <key-file>`);
  }
  if (getArchitecture(folder.arch).task === "causal-lm") {
    return llamaPrintable(
      await inferLlama(dir, opts.text, { device: opts.device, maxNewTokens: opts.maxNewTokens }),
    );
  }
  const r = await inferClassifier(dir, opts.text, { device: opts.device });
  return { json: { label: r.label, probs: r.probs }, text: r.printable };
}

async function encrypted(dir: string, key: string, opts: InferCliOptions): Promise<Printable> {
  const out = await inferEncrypted(dir, key, opts.text, {
    device: opts.device,
    maxNewTokens: opts.maxNewTokens,
    tokenizerDir: opts.tokenizer,
  });
  if (out.task === "causal-lm") return llamaPrintable(out.result);
  return { json: { label: out.result.label, probs: out.result.probs }, text: out.result.printable };
}

export async function inferCommand(dir: string, opts: InferCliOptions): Promise<void> {
  const result = opts.key === undefined ? await plain(dir, opts) : await encrypted(dir, opts.key, opts);
  process.stdout.write(opts.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
}

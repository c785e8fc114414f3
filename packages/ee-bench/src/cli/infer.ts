/**
 * `ee infer <dir> --text "…" [--key <file>]`: plain inference, or — with a key — the EE client
 * protocol (tokenize and encrypt ids here, run the encrypted model, decrypt here). Both print the same
 * form, so a user can diff them. Causal LMs also take token ids (`--ids 1,2,3`): the tiny presets are
 * built without a tokenizer. Prompts are bounded (input-bounds.ts) and a classifier input cut at the
 * model's length is reported. A Hugging Face-format folder (plain or encrypted; `ee build|encrypt
 * --format hf`) is opened through its cached ONNX build (targets/hf-onnx-cache.ts); with a key, the key
 * and the folder's ee.json binding are checked on the folder as given, before anything is built.
 */
import {
  DEFAULT_ENGINE,
  type Device,
  EEClient,
  EncryptedCausalLM,
  type GenerateResult,
  generateWithStepper,
  getArchitecture,
  getEngine,
  inferClassifier,
  inferEncrypted,
  inferLlama,
  LLAMA31_TOKENIZER,
  LlamaTokenizer,
  type ModelFolder,
  readFolderConfig,
  readManifest,
  readModelFolder,
} from "ee-models";
import { onnxFolderFor } from "../targets/hf-onnx-cache.js";
import { checkPromptSize, parseIds } from "./input-bounds.js";

/** Options of `ee infer` (as commander parses them). */
export interface InferCliOptions {
  /** Input text (exactly one of text / ids). */
  text?: string;
  /** Causal LMs: comma-separated prompt token ids (text). */
  ids?: string;
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
  /** Hash every ee.json-bound file again instead of trusting the digest cache (flag). */
  verifyFull?: boolean;
  /** Cache of ONNX builds of HF-format folders (path); default the fetch layer's cache dir. */
  cacheDir?: string;
  /** Progress lines (text); default stderr. */
  log?: (line: string) => void;
}

/** The ONNX folder run, and how messages name it: the folder as given (and its ONNX build, if any). */
type OpenedFolder = ModelFolder & { name: string };

/** What `ee infer` prints, for either task. */
export interface Printable {
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

/** Generation from ids: the new ids instead of decoded text. */
function idsPrintable(prompt: number[], res: GenerateResult): Printable {
  const seq = res.sequences[0];
  const json = {
    tokenIds: seq.tokenIds,
    promptTokens: prompt.length,
    firstTokenProb: seq.firstTokenProb,
    finishReason: seq.finishReason,
    timeToFirstTokenMs: res.timeToFirstTokenMs,
  };
  return {
    json,
    text:
      `ids: ${seq.tokenIds.join(",")}\n` +
      `-- ${seq.tokenIds.length} tokens (${seq.finishReason}), prompt ${prompt.length} tokens, ` +
      `first-token p=${seq.firstTokenProb.toFixed(4)}, TTFT ${res.timeToFirstTokenMs.toFixed(0)} ms`,
  };
}

/** The Llama tokenizer the prompt is counted with, or a message saying how to give the input. */
function llamaTokenizerFor(folder: OpenedFolder, opts: InferCliOptions): LlamaTokenizer {
  const howto = `give token ids with --ids 1,2,3 (0..${folder.cfg.vocabSize - 1})`;
  if (opts.tokenizer !== undefined) return LlamaTokenizer.fromFolder(opts.tokenizer);
  if (opts.key === undefined) {
    if (!folder.hasTokenizer)
      throw new Error(`${folder.name} has no tokenizer (tiny presets are built without one): ${howto}`);
    return LlamaTokenizer.fromFolder(folder.dir);
  }
  const name = readManifest(folder.dir).tokenizer;
  if (name !== LLAMA31_TOKENIZER)
    throw new Error(
      `${folder.name}: ee.json names no Llama tokenizer for the client: give --tokenizer <plain-model-dir>, or ${howto}`,
    );
  return LlamaTokenizer.fromDataDir();
}

async function causalLm(folder: OpenedFolder, opts: InferCliOptions): Promise<Printable> {
  const session = { device: opts.device };
  const n = opts.maxNewTokens;
  if (opts.ids !== undefined) {
    const prompt = parseIds(opts.ids, folder.cfg.vocabSize);
    checkPromptSize(folder.cfg, prompt.length, n, folder.name);
    if (opts.key !== undefined) {
      const lm = await EncryptedCausalLM.open(folder.dir, opts.key, session);
      try {
        return idsPrintable(prompt, await lm.generate([prompt], { maxNewTokens: n }));
      } finally {
        await lm.dispose();
      }
    }
    const engine = await getEngine(DEFAULT_ENGINE).open(folder.dir, session);
    try {
      if (!engine.stepper)
        throw new Error(`engine ${engine.info.name}: ${folder.name} is not a causal LM it can step`);
      return idsPrintable(prompt, await generateWithStepper(engine.stepper, [prompt], { maxNewTokens: n }));
    } finally {
      await engine.close();
    }
  }
  const tok = llamaTokenizerFor(folder, opts);
  const promptTokens = tok.applyChatTemplate([{ role: "user", content: opts.text as string }]).length;
  checkPromptSize(folder.cfg, promptTokens, n, folder.name);
  if (opts.key === undefined)
    return llamaPrintable(
      await inferLlama(folder.dir, opts.text as string, { device: opts.device, maxNewTokens: n }),
    );
  const out = await inferEncrypted(folder.dir, opts.key, opts.text as string, {
    device: opts.device,
    maxNewTokens: n,
    tokenizerDir: opts.tokenizer,
  });
  if (out.task !== "causal-lm") throw new Error(`${folder.name}: not a causal LM`);
  return llamaPrintable(out.result);
}

async function classifier(folder: OpenedFolder, opts: InferCliOptions): Promise<Printable> {
  if (opts.ids !== undefined) throw new Error("--ids is for causal LMs (Llama); classifiers take --text");
  const text = opts.text as string;
  let r: Awaited<ReturnType<typeof inferClassifier>>;
  if (opts.key === undefined) r = await inferClassifier(folder.dir, text, { device: opts.device });
  else {
    const out = await inferEncrypted(folder.dir, opts.key, text, {
      device: opts.device,
      tokenizerDir: opts.tokenizer,
    });
    if (out.task !== "sequence-classification") throw new Error(`${folder.name}: not a classifier`);
    r = out.result;
  }
  // RoBERTa's positions start after the padding id (maxSequenceLength in ee-models).
  const pad = folder.arch === "roberta" ? Number(folder.cfg.raw.pad_token_id ?? 1) + 1 : 0;
  if (r.result.numTokens >= folder.cfg.maxPositionEmbeddings - pad) {
    process.stderr.write(
      `ee: note: the input filled all ${r.result.numTokens} token positions the model takes; text beyond them was truncated\n`,
    );
  }
  return { json: { label: r.label, probs: r.probs, tokens: r.result.numTokens }, text: r.printable };
}

/** What `ee infer <dir>` prints (JSON and text forms), without printing it. */
export async function inferResult(dir: string, opts: InferCliOptions): Promise<Printable> {
  if ((opts.text === undefined) === (opts.ids === undefined))
    throw new Error('ee infer: give the input as --text "…" or as token ids --ids 1,2,3 (exactly one)');
  const given = readFolderConfig(dir);
  if (opts.key === undefined && given.eeJson !== undefined) {
    throw new Error(`${given.dir} is an encrypted model folder (has ee.json): pass --key <key-file>`);
  }
  // The key must fit the folder the user named, and its files be the ones its ee.json binds.
  if (opts.key !== undefined) EEClient.open(given.dir, opts.key, { verifyFull: opts.verifyFull });
  const onnx = await onnxFolderFor(given.dir, {
    cacheDir: opts.cacheDir,
    verifyFull: opts.verifyFull,
    log: opts.log,
  });
  const name = onnx.conversion === "none" ? onnx.dir : `${onnx.source} (its ONNX build ${onnx.dir})`;
  const folder: OpenedFolder = { ...readModelFolder(onnx.dir), name };
  const task = getArchitecture(folder.arch).task;
  return task === "causal-lm" ? causalLm(folder, opts) : classifier(folder, opts);
}

export async function inferCommand(dir: string, opts: InferCliOptions): Promise<void> {
  const result = await inferResult(dir, opts);
  process.stdout.write(opts.json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
}

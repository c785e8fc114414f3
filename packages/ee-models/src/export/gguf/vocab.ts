/**
 * The `tokenizer.ggml.*` metadata of an exported model.
 * - Encrypted models (and plain ones without a usable tokenizer): the `no_vocab` model — llama.cpp
 *   then reads the vocabulary size from `llama.vocab_size`, holds no token text at all, and runs on
 *   token ids. Nothing from which the key's token permutation could be read sits on the server.
 * - Plain models with a Hugging Face byte-level BPE `tokenizer.json` whose vocabulary fills the model's
 *   (Llama 3): the `gpt2` model with the real tokens, merges and token types, `pre = "llama-bpe"`,
 *   as llama.cpp's converter writes them, so the GGUF also works from text in other llama.cpp tools.
 */
import { readFileSync } from "node:fs";
import type { LlamaConfig } from "../../llama/config.js";
import { type GgufMetadata, gv } from "./metadata.js";

/** Which vocabulary an export carries. */
export type GgufVocabKind = "no_vocab" | "llama-bpe";

/** llama.cpp token types (`llama_token_type`): normal text, and control (special) tokens. */
const TOKEN_NORMAL = 1;
const TOKEN_CONTROL = 3;
const TOKEN_UNUSED = 5;

/** The vocabulary-free tokenizer metadata (no token text, ids only). */
export function noVocabMetadata(): GgufMetadata {
  return [["tokenizer.ggml.model", gv.str("no_vocab")]];
}

type Json = Record<string, unknown>;

/**
 * The real vocabulary of an HF byte-level BPE `tokenizer.json`, or a reason why it cannot be used
 * (not BPE, or its ids do not fit the model's vocabulary of `cfg.vocabSize`).
 */
export function bpeVocabMetadata(
  tokenizerJsonPath: string,
  cfg: LlamaConfig,
): { ok: true; metadata: GgufMetadata } | { ok: false; reason: string } {
  let j: Json;
  try {
    j = JSON.parse(readFileSync(tokenizerJsonPath, "utf8")) as Json;
  } catch (e) {
    return { ok: false, reason: `${tokenizerJsonPath}: not readable JSON (${(e as Error).message})` };
  }
  const model = j.model as Json | undefined;
  if (model?.type !== "BPE") return { ok: false, reason: `${tokenizerJsonPath}: model.type is not "BPE"` };
  const vocab = model.vocab as Record<string, number> | undefined;
  const merges = model.merges as (string | [string, string])[] | undefined;
  if (!vocab || !Array.isArray(merges))
    return { ok: false, reason: `${tokenizerJsonPath}: model.vocab or model.merges missing` };
  const V = cfg.vocabSize;
  const tokens: (string | undefined)[] = new Array(V);
  const types = new Int32Array(V).fill(TOKEN_NORMAL);
  const place = (text: string, id: number, type: number): string | null => {
    if (!Number.isInteger(id) || id < 0 || id >= V)
      return `token ${JSON.stringify(text)} has id ${id} ≥ ${V}`;
    tokens[id] = text;
    types[id] = type;
    return null;
  };
  for (const [text, id] of Object.entries(vocab)) {
    const err = place(text, id, TOKEN_NORMAL);
    if (err) return { ok: false, reason: `${tokenizerJsonPath}: ${err}` };
  }
  for (const a of (j.added_tokens ?? []) as Json[]) {
    const err = place(String(a.content), Number(a.id), a.special === true ? TOKEN_CONTROL : TOKEN_NORMAL);
    if (err) return { ok: false, reason: `${tokenizerJsonPath}: ${err}` };
  }
  const filled: string[] = [];
  for (let i = 0; i < V; i++) {
    if (tokens[i] === undefined) {
      filled.push(`[PAD${i}]`);
      types[i] = TOKEN_UNUSED;
    } else filled.push(tokens[i] as string);
  }
  const metadata: [string, ReturnType<typeof gv.str>][] = [
    ["tokenizer.ggml.model", gv.str("gpt2")],
    ["tokenizer.ggml.pre", gv.str("llama-bpe")],
    ["tokenizer.ggml.tokens", gv.strs(filled)],
    ["tokenizer.ggml.token_type", gv.i32s(types)],
    ["tokenizer.ggml.merges", gv.strs(merges.map((m) => (typeof m === "string" ? m : m.join(" "))))],
  ];
  if (cfg.bosTokenId !== null) metadata.push(["tokenizer.ggml.bos_token_id", gv.u32(cfg.bosTokenId)]);
  if (cfg.eosTokenIds.length > 0) metadata.push(["tokenizer.ggml.eos_token_id", gv.u32(cfg.eosTokenIds[0])]);
  return { ok: true, metadata };
}

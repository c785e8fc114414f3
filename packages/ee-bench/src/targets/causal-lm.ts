/**
 * Causal-LM targets (Llama): VI is a `CausalLMSession` on the plain folder; EE an
 * `EncryptedCausalLM` (encrypt prompt ids → encrypted model, sampling on the server → decrypt ids
 * and first-step logits). Prompts are the raw text with BOS (no chat template, so `maxLength`
 * bounds the user's text), tokenized once in `prepare` and truncated to `maxLength` tokens.
 * Generation is greedy and runs exactly `maxNewTokens` steps (no early stop at EOS) for both, so
 * both sides do the same work. Presets without a tokenizer (llama-tiny, vocab 512) use the
 * Llama 3.1 tokenizer with ids taken modulo the vocabulary size.
 */
import {
  CausalLMSession,
  EncryptedCausalLM,
  LlamaTokenizer,
  readModelFolder,
  type SessionOptions,
} from "ee-models";
import type { BenchSample, BenchTarget, SuiteRow, TargetKind, TargetOutput, TargetPair } from "../types.js";
import type { CachedModels } from "./model-cache.js";
import { preparedIds } from "./prepared-ids.js";

/** Something with `generate(prompts)` — both session kinds. */
interface Generates {
  generate(
    prompts: readonly (readonly number[])[],
    opts: { maxNewTokens: number; eosTokenIds: number[]; padTokenId: number },
  ): Promise<{ sequences: { tokenIds: number[]; firstTokenProb: number; firstTokenLogits: Float32Array }[] }>;
  dispose(): Promise<void>;
}

function target(
  kind: TargetKind,
  session: Generates,
  ids: Map<string, number[]>,
  row: SuiteRow,
  padTokenId: number,
): BenchTarget {
  return {
    kind,
    async run(batch: readonly BenchSample[]): Promise<TargetOutput[]> {
      const prompts = preparedIds(ids, batch, row);
      const res = await session.generate(prompts, {
        maxNewTokens: row.maxNewTokens,
        eosTokenIds: [],
        padTokenId,
      });
      return res.sequences.map((g) => ({
        predicted: g.tokenIds[0],
        confidence: g.firstTokenProb,
        logits: g.firstTokenLogits,
        tokens: g.tokenIds,
      }));
    },
    async close() {
      await session.dispose();
    },
  };
}

/** Opens the VI and EE generators of a row. */
export async function openCausalLMPair(
  row: SuiteRow,
  m: CachedModels,
  sessionOpts: SessionOptions,
  dataDir: string,
): Promise<TargetPair> {
  const folder = readModelFolder(m.plainDir);
  const vocab = folder.cfg.vocabSize;
  const maxPos = folder.cfg.maxPositionEmbeddings;
  if (row.maxLength + row.maxNewTokens > maxPos) {
    throw new Error(
      `row ${row.id}: maxLength ${row.maxLength} + maxNewTokens ${row.maxNewTokens} exceeds ${row.model}'s ${maxPos} positions`,
    );
  }
  const tok = folder.hasTokenizer
    ? LlamaTokenizer.fromFolder(m.plainDir)
    : LlamaTokenizer.fromDataDir(dataDir);
  const encode = (text: string) => tok.encode(text, true).map((id) => id % vocab);
  const tokenize = (text: string) => encode(text).slice(0, row.maxLength);
  const vi = await CausalLMSession.open(m.plainDir, sessionOpts);
  const ee = await EncryptedCausalLM.open(m.encDir, m.keyPath, sessionOpts);
  const pad = vi.cfg.eosTokenIds[0] ?? 0;
  const ids = new Map<string, number[]>();
  return {
    vi: target("vi", vi, ids, row, pad),
    ee: target("ee", ee, ids, row, pad),
    async prepare(samples) {
      for (const s of samples) if (!ids.has(s.id)) ids.set(s.id, tokenize(s.text));
    },
    info: {
      plainDir: m.plainDir,
      encDir: m.encDir,
      buildSec: m.buildSec,
      encryptSec: m.encryptSec,
      tokenizer: folder.hasTokenizer ? "model folder" : `Llama 3.1 ids mod ${vocab}`,
    },
    countTokens: (t) => encode(t).length,
  };
}

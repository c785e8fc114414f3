/**
 * Causal-LM targets (Llama): VI is the row's engine on the plain folder; EE the same engine on the
 * encrypted folder behind the client (encrypt prompt ids → greedy generation on the server → decrypt
 * ids and first-step logits). Prompts are the raw text with BOS (no chat template, so `maxLength`
 * bounds the user's text), tokenized once in `prepare` and truncated to `maxLength` tokens.
 * Generation is greedy and runs exactly `maxNewTokens` steps (no early stop at EOS) for both, so
 * both sides do the same work. Presets without a tokenizer (llama-tiny, vocab 512) use the
 * Llama 3.1 tokenizer with ids taken modulo the vocabulary size.
 */
import {
  type Engine,
  type FirstStep,
  type HttpRequestTiming,
  LlamaTokenizer,
  readModelFolder,
  softmaxProb,
} from "ee-models";
import type {
  BenchSample,
  BenchTarget,
  SuiteRow,
  TargetFactoryContext,
  TargetKind,
  TargetOutput,
  TargetPair,
} from "../types.js";
import { openRowEngines } from "./engines.js";
import { type ExternalModel, openExternalEngines } from "./external-servers.js";
import type { CachedModels } from "./model-cache.js";
import { preparedIds } from "./prepared-ids.js";

/** Confidence of the first token and the logits it came from (none when the engine returns top-k only). */
function firstToken(first: FirstStep, id: number): { confidence: number; logits?: Float32Array } {
  if (first.kind === "logits") return { confidence: softmaxProb(first.logits, id), logits: first.logits };
  const k = Array.from(first.ids).indexOf(id);
  return { confidence: k < 0 ? 0 : Math.exp(first.logprobs[k]) };
}

function target(kind: TargetKind, engine: Engine, ids: Map<string, number[]>, row: SuiteRow): BenchTarget {
  return {
    kind,
    async run(batch: readonly BenchSample[]): Promise<TargetOutput[]> {
      const res = await engine.generate(preparedIds(ids, batch, row), {
        maxNewTokens: row.maxNewTokens,
        eosTokenIds: [],
      });
      // over the wire, the http engine also times each request (TTFT, TPOT)
      const timing = (res as { requests?: readonly HttpRequestTiming[] }).requests;
      return res.sequences.map((g, i) => ({
        predicted: g.tokenIds[0],
        ...firstToken(g.firstStep, g.tokenIds[0]),
        tokens: [...g.tokenIds],
        ...(timing ? { ttftMs: timing[i].ttftMs, tpotMs: timing[i].tpotMs } : {}),
      }));
    },
    async close() {
      await engine.close();
    },
  };
}

/** Vocabulary, positions and tokenizer of a row's model, and what the report says of them. */
interface ModelShape {
  /** Vocabulary size; prompt ids are taken modulo it (tokens). */
  vocab: number;
  /** Longest sequence (tokens). */
  maxPos: number;
  /** The tokenizer of the prompts. */
  tok: LlamaTokenizer;
  /** Facts for env.json: folders, build and encryption time (s), tokenizer (JSON values). */
  info: Record<string, unknown>;
}

/** From the plain folder; for external servers, from the preset (the Llama 3.1 tokenizer, ids mod the vocabulary). */
function modelShape(m: CachedModels | ExternalModel, ctx: TargetFactoryContext): ModelShape {
  if ("kind" in m) {
    return {
      vocab: m.vocabSize,
      maxPos: m.maxPositions,
      tok: LlamaTokenizer.fromDataDir(ctx.dataDir),
      info: {
        encDir: m.servers.encryptedFolder,
        buildSec: 0,
        encryptSec: 0,
        ...(m.presetTokenizer ? { tokenizer: `${m.presetTokenizer} (the row's preset)` } : {}),
      },
    };
  }
  const folder = readModelFolder(m.plainDir);
  return {
    vocab: folder.cfg.vocabSize,
    maxPos: folder.cfg.maxPositionEmbeddings,
    tok: folder.hasTokenizer
      ? LlamaTokenizer.fromFolder(m.plainDir)
      : LlamaTokenizer.fromDataDir(ctx.dataDir),
    info: {
      plainDir: m.plainDir,
      encDir: m.encDir,
      buildSec: m.buildSec,
      encryptSec: m.encryptSec,
      ...(folder.hasTokenizer ? { tokenizer: "model folder" } : {}),
    },
  };
}

/** Opens the VI and EE generators of a row (built models, or external servers). */
export async function openCausalLMPair(
  row: SuiteRow,
  m: CachedModels | ExternalModel,
  ctx: TargetFactoryContext,
): Promise<TargetPair> {
  const { vocab, maxPos, tok, info } = modelShape(m, ctx);
  if (row.maxLength + row.maxNewTokens > maxPos) {
    throw new Error(
      `row ${row.id}: maxLength ${row.maxLength} + maxNewTokens ${row.maxNewTokens} exceeds ${row.model}'s ${maxPos} positions`,
    );
  }
  const encode = (text: string) => tok.encode(text, true).map((id) => id % vocab);
  const tokenize = (text: string) => encode(text).slice(0, row.maxLength);
  const e = "kind" in m ? await openExternalEngines(row, m, ctx) : await openRowEngines(row, m, ctx);
  const ids = new Map<string, number[]>();
  return {
    vi: target("vi", e.vi, ids, row),
    ee: target("ee", e.ee, ids, row),
    async prepare(samples) {
      for (const s of samples) if (!ids.has(s.id)) ids.set(s.id, tokenize(s.text));
    },
    info: {
      tokenizer: `Llama 3.1 ids mod ${vocab}`,
      ...info,
      runtime: e.runtime,
      ...e.info,
    },
    countTokens: (t) => encode(t).length,
  };
}

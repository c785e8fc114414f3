/**
 * `ee attack --model <plain-dir> --encrypted <enc-dir> --key <key-file>`: the paper's §3 threat analysis
 * on real folders. The attacker gets what the threat model grants — encrypted token streams, the
 * encrypted weights (read back out of the encrypted ONNX file), the public plain weights and public text
 * — and the key is used ONLY to score.
 *
 * Text: victim and attacker text come from disjoint parts of the data.
 *   encoders: IMDB reviews, shuffled with the seed: 50 % attacker prior, 40 % victim stream, 10 % held out
 *   llama:    ShareGPT prompts: 50 % prior, 50 % victim stream (chat-templated, as a client sends them);
 *             MT-Bench questions held out
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AttackSuiteInput, KnownTemplate, Matrix, TokenCorpus } from "ee-attacks";
import {
  DEFAULT_SUITE_OPTIONS,
  recoveryChartData,
  recoveryChartSpec,
  renderAttackMarkdown,
  runAttackSuite,
} from "ee-attacks";
import { loadKey, type Permutation, type Tensor } from "ee-core";
import {
  ENCODER_VARIANTS,
  getArchitecture,
  LLAMA_EMBED,
  LLAMA_LM_HEAD,
  LlamaTokenizer,
  loadCheckpoint,
  loadTokenizer,
  readModelFolder,
  readOnnxInitializers,
} from "ee-models";
import { loadDataset } from "../datasets/registry.js";
import type { BenchSample } from "../types.js";
import { acquireDatasets } from "./fetch.js";

/** Options of `ee attack` (as commander parses them). */
export interface AttackCliOptions {
  /** Public plain model folder (path). */
  model: string;
  /** Encrypted model folder (path). */
  encrypted: string;
  /** Key file, used only to score (path). */
  key: string;
  /** Observed-token counts to sweep, comma-separated (tokens). */
  observed: string;
  /** Seed of the attacks' randomness and of the data split. */
  seed: number;
  /** Where to write attack.json / attack.md / attack.vl.json (path). */
  out?: string;
  /** Data directory (path); default EE_DATA_DIR or the mirror beside the repo. */
  dataDir?: string;
}

/** Tensor names of the token tables per architecture (embedding, and the untied LM head if any). */
const TOKEN_TABLES: Record<string, { embedding: string; lmHead?: string }> = {
  bert: { embedding: `${ENCODER_VARIANTS.bert.prefix}.embeddings.word_embeddings.weight` },
  roberta: { embedding: `${ENCODER_VARIANTS.roberta.prefix}.embeddings.word_embeddings.weight` },
  llama: { embedding: LLAMA_EMBED, lmHead: LLAMA_LM_HEAD },
};

function matrix(t: Tensor, what: string): Matrix {
  if (t.shape.length !== 2 || !(t.data instanceof Float32Array)) {
    throw new Error(`${what}: expected a 2-D float32 tensor, got [${t.shape.join(", ")}]`);
  }
  return { rows: t.shape[0], cols: t.shape[1], data: t.data };
}

/** Map plain-id documents through π. */
function encryptDocs(docs: Int32Array[], perm: Permutation): Int32Array[] {
  return docs.map((d) => d.map((t) => perm[t]));
}

/** Longest common prefix and suffix of two id lists: the template every document shares. */
function sharedTemplate(a: readonly number[], b: readonly number[], description: string): KnownTemplate {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return {
    description,
    prefix: Int32Array.from(a.slice(0, p)),
    suffix: Int32Array.from(a.slice(a.length - s)),
  };
}

interface Texts {
  prior: TokenCorpus;
  observed: TokenCorpus;
  heldOut: TokenCorpus;
  template: KnownTemplate;
}

async function samples(name: string, dataDir: string, seed: number): Promise<BenchSample[]> {
  const loaded = await loadDataset({ name, count: Number.MAX_SAFE_INTEGER }, { dataDir, seed });
  return loaded.samples;
}

async function encoderTexts(plainDir: string, dataDir: string, seed: number): Promise<Texts> {
  const tok = await loadTokenizer(plainDir);
  const encode = (s: BenchSample) => Int32Array.from(tok.encode(s.text) as number[]);
  const reviews = await samples("imdb", dataDir, seed);
  const nPrior = Math.floor(reviews.length * 0.5);
  const nObserved = Math.floor(reviews.length * 0.4);
  const part = (from: number, to: number, label: string): TokenCorpus => ({
    name: `imdb reviews ${label} (${to - from} of ${reviews.length}, seed ${seed})`,
    docs: reviews.slice(from, to).map(encode),
  });
  const a = tok.encode("a") as number[];
  const b = tok.encode("b c") as number[];
  return {
    prior: part(0, nPrior, "attacker prior"),
    observed: part(nPrior, nPrior + nObserved, "victim stream"),
    heldOut: part(nPrior + nObserved, reviews.length, "held out"),
    template: sharedTemplate(a, b, "special tokens every input carries ([CLS] … [SEP] / <s> … </s>)"),
  };
}

async function llamaTexts(plainDir: string, dataDir: string, seed: number): Promise<Texts> {
  const tok = LlamaTokenizer.fromFolder(plainDir);
  const chat = (text: string) => tok.applyChatTemplate([{ role: "user", content: text }]);
  const prompts = await samples("sharegpt", dataDir, seed);
  const questions = await samples("mt-bench", dataDir, seed);
  const half = Math.floor(prompts.length / 2);
  return {
    prior: {
      name: `sharegpt prompts, attacker half (${half}, seed ${seed}), chat-templated`,
      docs: prompts.slice(0, half).map((s) => Int32Array.from(chat(s.text))),
    },
    observed: {
      name: `sharegpt prompts, victim half (${prompts.length - half}), chat-templated`,
      docs: prompts.slice(half).map((s) => Int32Array.from(chat(s.text))),
    },
    heldOut: {
      name: `mt-bench questions (${questions.length}), chat-templated`,
      docs: questions.map((s) => Int32Array.from(chat(s.text))),
    },
    template: sharedTemplate(chat("a"), chat("b c"), "Llama 3.1 chat template (public)"),
  };
}

const TEXTS_BY_TASK = { "sequence-classification": encoderTexts, "causal-lm": llamaTexts } as const;

/** Everything the attacker sees, plus π for scoring. */
export async function attackInput(opts: AttackCliOptions): Promise<AttackSuiteInput> {
  const plain = readModelFolder(opts.model);
  const enc = readModelFolder(opts.encrypted);
  if (enc.eeJson === undefined)
    throw new Error(`--encrypted ${enc.dir}: not an encrypted model folder (no ee.json)`);
  if (plain.eeJson !== undefined)
    throw new Error(`--model ${plain.dir}: expected the plain model, got an encrypted folder`);
  if (plain.arch !== enc.arch) throw new Error(`--model is ${plain.arch} but --encrypted is ${enc.arch}`);
  const key = loadKey(resolve(opts.key), {
    architecture: enc.arch,
    fingerprint: String(enc.eeJson.keyFingerprint),
  });
  const vocab = key.components.get("vocab.perm");
  if (!vocab) throw new Error(`${opts.key}: key has no "vocab.perm" component`);
  const perm = vocab.tensor.data as Permutation;

  const arch = getArchitecture(plain.arch);
  const tables = TOKEN_TABLES[plain.arch];
  if (!tables) throw new Error(`ee attack: no token tables known for architecture ${plain.arch}`);
  const plainWeights = loadCheckpoint(plain.dir, arch, plain.cfg);
  const encNames = [
    tables.embedding,
    ...(tables.lmHead && plainWeights.has(tables.lmHead) ? [tables.lmHead] : []),
  ];
  const encWeights = readOnnxInitializers(enc.onnxPath, encNames);
  const lmHead = encNames.length > 1 ? tables.lmHead : undefined;

  const dataDir = await acquireDatasets(["imdb", "sharegpt", "mt-bench"], opts.dataDir);
  const texts = await TEXTS_BY_TASK[arch.task](plain.dir, dataDir, opts.seed);
  return {
    architecture: plain.arch,
    scheme: String(enc.eeJson.scheme),
    model: String(enc.eeJson.preset ?? plain.arch),
    vocabSize: perm.length,
    truePermutation: perm,
    prior: texts.prior,
    observed: { name: texts.observed.name, docs: encryptDocs(texts.observed.docs, perm) },
    heldOut: { name: texts.heldOut.name, docs: encryptDocs(texts.heldOut.docs, perm) },
    template: texts.template,
    weights: {
      plainEmbedding: matrix(plainWeights.get(tables.embedding)!, `${plain.dir}: ${tables.embedding}`),
      encryptedEmbedding: matrix(encWeights.get(tables.embedding)!, `${enc.onnxPath}: ${tables.embedding}`),
      ...(lmHead
        ? {
            plainLmHead: matrix(plainWeights.get(lmHead)!, `${plain.dir}: ${lmHead}`),
            encryptedLmHead: matrix(encWeights.get(lmHead)!, `${enc.onnxPath}: ${lmHead}`),
          }
        : {}),
    },
  };
}

function parseSweep(text: string): number[] {
  const sweep = text.split(",").map((s) => Number(s.trim()));
  if (sweep.length === 0 || sweep.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`--observed must be positive integers separated by commas, got "${text}"`);
  }
  return sweep;
}

export async function attackCommand(opts: AttackCliOptions): Promise<void> {
  const observedTokenSweep = parseSweep(opts.observed);
  const input = await attackInput(opts);
  const report = await runAttackSuite(input, {
    ...DEFAULT_SUITE_OPTIONS,
    seed: opts.seed,
    observedTokenSweep,
    onRow: (row) =>
      process.stderr.write(
        `  ${row.attack.padEnd(24)} ${String(row.observedTokens).padStart(7)} tokens  top-1 ${row.top1Pct.toFixed(2)} %  (${(row.wallMs / 1000).toFixed(1)} s)\n`,
      ),
  });
  const markdown = renderAttackMarkdown([report]);
  process.stdout.write(`${markdown}\n`);
  if (opts.out) {
    const out = resolve(opts.out);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "attack.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, "attack.md"), `${markdown}\n`);
    writeFileSync(
      join(out, "attack.vl.json"),
      `${JSON.stringify(recoveryChartSpec(recoveryChartData([report])), null, 2)}\n`,
    );
    process.stdout.write(`wrote ${out}/attack.{json,md,vl.json}\n`);
  }
}

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
 * `--prior same-domain` swaps the attacker's text for English user-written text of ANOTHER source
 * (encoders: ShareGPT prompts; llama: IMDB reviews as prompts); `--prior none` gives it no text (the
 * traffic attacks are then skipped). Held-out scores count the user's own text only: the template
 * and (Llama) the reserved special-token range are reported apart.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type {
  AttackFamily,
  AttackReport,
  AttackRow,
  AttackSuiteInput,
  AttackSuiteOptions,
  HomophonicView,
  KnownTemplate,
  Matrix,
  TextPrior,
  TokenCorpus,
} from "ee-attacks";
import {
  ATTACKS,
  DEFAULT_SUITE_OPTIONS,
  foldRowGain,
  mergeIdenticalRows,
  recoveryChartData,
  recoveryChartSpec,
  renderAttackMarkdown,
  runAttackSuite,
} from "ee-attacks";
import { createRandom, loadKey, type Permutation, type RandomSource, type Tensor } from "ee-core";
import {
  allocateHomophones,
  ENCODER_VARIANTS,
  getArchitecture,
  type HomophoneTable,
  homophoneTable,
  LLAMA_EMBED,
  LLAMA_FINAL_NORM,
  LLAMA_LM_HEAD,
  LlamaTokenizer,
  loadCheckpoint,
  loadTokenizer,
  readModelFolder,
  readOnnxInitializers,
} from "ee-models";
import { loadDataset } from "../datasets/registry.js";
import type { BenchSample } from "../types.js";
import { oracleView, type PlainQueryCache } from "./attack-oracle.js";
import { residualStatesView } from "./attack-residual.js";
import { trafficAttackCommand } from "./attack-traffic.js";
import { acquireDatasets } from "./fetch.js";

/** Options of `ee attack` (as commander parses them). */
export interface AttackCliOptions {
  /** Public plain model folder (path). */
  model: string;
  /** Encrypted model folder (path). */
  encrypted: string;
  /** Key file, used only to score (path); optional with `trafficLog` (then only guesses are printed). */
  key?: string;
  /** Observed-token counts to sweep, comma-separated (tokens); default 10³,10⁴,10⁵ (with `trafficLog`: the whole log). */
  observed?: string;
  /** A request log of `ee serve --log-requests` to attack instead of simulated traffic (path). */
  trafficLog?: string;
  /** Seed of the attacks' randomness and of the data split. */
  seed: number;
  /** Where to write attack.json / attack.md / attack.vl.json (path). */
  out?: string;
  /** Data directory (path); default EE_DATA_DIR or the mirror beside the repo. */
  dataDir?: string;
  /** Attacks to run, comma-separated registry names or threat models (e.g. `public-weights`); default all. */
  attacks?: string;
  /** The attacker's prior text: `same-distribution` (default), `same-domain` or `none`. */
  prior?: string;
}

/** Observed-token counts swept by default (tokens). */
const DEFAULT_SWEEP = "1000,10000,100000";

const PRIOR_KINDS: readonly TextPrior[] = ["same-distribution", "same-domain", "none"];

export function parsePrior(text: string | undefined): TextPrior {
  const p = (text ?? "same-distribution") as TextPrior;
  if (!PRIOR_KINDS.includes(p))
    throw new Error(`--prior must be one of ${PRIOR_KINDS.join(", ")}, got "${text}"`);
  return p;
}

/**
 * Tensor names of the token tables per architecture: the embedding, and for a decoder the LM head and
 * the public gain of the norm that feeds it (folded into the head before matching).
 */
const TOKEN_TABLES: Record<string, { embedding: string; lmHead?: string; headNormGain?: string }> = {
  bert: { embedding: `${ENCODER_VARIANTS.bert.prefix}.embeddings.word_embeddings.weight` },
  roberta: { embedding: `${ENCODER_VARIANTS.roberta.prefix}.embeddings.word_embeddings.weight` },
  llama: { embedding: LLAMA_EMBED, lmHead: LLAMA_LM_HEAD, headNormGain: LLAMA_FINAL_NORM },
};

/** Registry names of the residual-stream vocabulary matches (one per layer). */
const RESIDUAL_PREFIX = "hidden-state-vocab-match-L";

/** Threat models whose attacks read token traffic (and so need the data mirror and a tokenizer). */
export const TRAFFIC_FAMILIES: readonly AttackFamily[] = ["ciphertext-only", "known-plaintext"];

/** Registry names selected by `--attacks` (names or threat models); undefined = all. */
export function selectAttacks(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const out = new Set<string>();
  for (const item of list.split(",").map((s) => s.trim())) {
    const byFamily = ATTACKS.filter((a) => a.family === item);
    const byName = ATTACKS.filter((a) => a.name === item);
    if (byFamily.length + byName.length === 0) {
      const families = [...new Set(ATTACKS.map((a) => a.family))];
      throw new Error(
        `--attacks: unknown attack or threat model "${item}"; known: ${[...families, ...ATTACKS.map((a) => a.name)].join(", ")}`,
      );
    }
    for (const a of [...byFamily, ...byName]) out.add(a.name);
  }
  return [...out];
}

/** Names of the registered attacks that `pick` accepts, among `selected` (every one when undefined). */
function selectedWhere(
  selected: string[] | undefined,
  pick: (a: (typeof ATTACKS)[number]) => boolean,
): string[] {
  return ATTACKS.filter((a) => pick(a) && (selected === undefined || selected.includes(a.name))).map(
    (a) => a.name,
  );
}

function needsTraffic(selected: string[] | undefined): boolean {
  return selectedWhere(selected, (a) => TRAFFIC_FAMILIES.includes(a.family)).length > 0;
}

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

/** Homophonic traffic: each occurrence sent as one of its token's ids, drawn as the client draws them. */
function encryptDocsHomophonic(docs: Int32Array[], table: HomophoneTable, rng: RandomSource): Int32Array[] {
  return docs.map((d) => d.map((t) => table.encryptedId(t, Math.floor(rng.float() * table.counts[t]))));
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

/** The attacker's and the victim's text, plain ids. */
export interface Texts {
  prior: TokenCorpus;
  /** Special plain ids (excluded from the user's text). */
  specialIds?: Int32Array;
  observed: TokenCorpus;
  heldOut: TokenCorpus;
  template: KnownTemplate;
}

async function samples(name: string, dataDir: string, seed: number): Promise<BenchSample[]> {
  const loaded = await loadDataset({ name, count: Number.MAX_SAFE_INTEGER }, { dataDir, seed });
  return loaded.samples;
}

async function encoderTexts(
  plainDir: string,
  dataDir: string,
  seed: number,
  prior: TextPrior,
): Promise<Texts> {
  const tok = await loadTokenizer(plainDir);
  const encode = (s: BenchSample) => Int32Array.from(tok.encode(s.text) as number[]);
  const reviews = await samples("imdb", dataDir, seed);
  const otherPrior = async (): Promise<TokenCorpus> => {
    const prompts = await samples("sharegpt", dataDir, seed);
    return {
      name: `sharegpt prompts (${prompts.length}; same domain, other source)`,
      docs: prompts.map(encode),
    };
  };
  const nPrior = Math.floor(reviews.length * 0.5);
  const nObserved = Math.floor(reviews.length * 0.4);
  const part = (from: number, to: number, label: string): TokenCorpus => ({
    name: `imdb reviews ${label} (${to - from} of ${reviews.length}, seed ${seed})`,
    docs: reviews.slice(from, to).map(encode),
  });
  const a = tok.encode("a") as number[];
  const b = tok.encode("b c") as number[];
  return {
    prior: prior === "same-domain" ? await otherPrior() : part(0, nPrior, "attacker prior"),
    observed: part(nPrior, nPrior + nObserved, "victim stream"),
    heldOut: part(nPrior + nObserved, reviews.length, "held out"),
    template: sharedTemplate(a, b, "special tokens every input carries ([CLS] … [SEP] / <s> … </s>)"),
  };
}

/** Llama 3's reserved special-token range starts here (`<|begin_of_text|>` = 128000). */
const LLAMA3_FIRST_SPECIAL = 128000;

async function llamaTexts(plainDir: string, dataDir: string, seed: number, prior: TextPrior): Promise<Texts> {
  const tok = LlamaTokenizer.fromFolder(plainDir);
  const chat = (text: string) => tok.applyChatTemplate([{ role: "user", content: text }]);
  const prompts = await samples("sharegpt", dataDir, seed);
  const questions = await samples("mt-bench", dataDir, seed);
  const half = Math.floor(prompts.length / 2);
  const V = readModelFolder(plainDir).cfg.vocabSize;
  const otherPrior = async (): Promise<TokenCorpus> => {
    const reviews = await samples("imdb", dataDir, seed);
    return {
      name: `imdb reviews as prompts (${reviews.length}; same domain, other source), chat-templated`,
      docs: reviews.map((s) => Int32Array.from(chat(s.text))),
    };
  };
  return {
    specialIds: Int32Array.from(
      { length: Math.max(0, V - LLAMA3_FIRST_SPECIAL) },
      (_, i) => LLAMA3_FIRST_SPECIAL + i,
    ),
    prior:
      prior === "same-domain"
        ? await otherPrior()
        : {
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

/** The texts of a model's task: the attacker's prior, the victim's stream and held-out text, the template. */
export function attackerTexts(
  task: keyof typeof TEXTS_BY_TASK,
  plainDir: string,
  dataDir: string,
  seed: number,
  prior: TextPrior,
): Promise<Texts> {
  return TEXTS_BY_TASK[task](plainDir, dataDir, seed, prior);
}

/** The plain and encrypted folders, checked to be what their options say. */
export function openFolders(opts: Pick<AttackCliOptions, "model" | "encrypted">) {
  const plain = readModelFolder(opts.model);
  const enc = readModelFolder(opts.encrypted);
  if (enc.eeJson === undefined)
    throw new Error(`--encrypted ${enc.dir}: not an encrypted model folder (no ee.json)`);
  if (plain.eeJson !== undefined)
    throw new Error(`--model ${plain.dir}: expected the plain model, got an encrypted folder`);
  if (plain.arch !== enc.arch) throw new Error(`--model is ${plain.arch} but --encrypted is ${enc.arch}`);
  return { plain, enc, eeJson: enc.eeJson };
}

/**
 * Everything the attacker sees, plus π for scoring. `plainQueries` (optional) keeps the plain model's
 * answers to the server's queries across calls on encrypted folders of the same plain model.
 */
export async function attackInput(
  opts: AttackCliOptions,
  plainQueries?: PlainQueryCache,
): Promise<AttackInputs> {
  const { plain, enc, eeJson } = openFolders(opts);
  if (plainQueries && resolve(plainQueries.dir) !== plain.dir)
    throw new Error(
      `attackInput: the plain-query cache is of ${plainQueries.dir}, not of --model ${plain.dir}`,
    );
  if (!opts.key) throw new Error("ee attack: --key is required (it may be left out only with --traffic-log)");
  const key = loadKey(resolve(opts.key), {
    architecture: enc.arch,
    fingerprint: String(eeJson.keyFingerprint),
  });
  const vocab = key.components.get("vocab.perm");
  if (!vocab) throw new Error(`${opts.key}: key has no "vocab.perm" component`);
  // homophonic ids: copy 0 of each token stands for π; traffic draws a copy per occurrence
  const homophones = homophoneTable(key, plain.cfg.vocabSize);
  const perm = homophones ? homophones.first : (vocab.tensor.data as Permutation);
  const encrypt = (docs: Int32Array[], which: string): Int32Array[] =>
    homophones
      ? encryptDocsHomophonic(docs, homophones, createRandom({ seed: `${opts.seed}/homophones/${which}` }))
      : encryptDocs(docs, perm);

  const arch = getArchitecture(plain.arch);
  const tables = TOKEN_TABLES[plain.arch];
  if (!tables) throw new Error(`ee attack: no token tables known for architecture ${plain.arch}`);
  const selected = selectAttacks(opts.attacks);
  // the weights and oracle attacks assume one encrypted row per token: on homophonic folders the weights
  // attacker first merges the copies' identical rows (mergedWeightsInput), the oracle is not run
  const wantsWeights = selectedWhere(selected, (a) => a.family === "public-weights").length > 0;
  const allWeights =
    wantsWeights || !homophones
      ? tokenTables(plain, enc, loadCheckpoint(plain.dir, arch, plain.cfg), tables)
      : undefined;
  const weights = homophones ? undefined : allWeights;
  const mergedWeights =
    homophones && allWeights
      ? mergedWeightsInput(allWeights, homophones.plainOf, {
          architecture: plain.arch,
          scheme: String(eeJson.scheme),
          model: String(eeJson.preset ?? plain.arch),
        })
      : null;

  const priorKind = parsePrior(opts.prior);
  const texts = needsTraffic(selected)
    ? await TEXTS_BY_TASK[arch.task](
        plain.dir,
        await acquireDatasets(["imdb", "sharegpt", "mt-bench"], opts.dataDir),
        opts.seed,
        priorKind,
      )
    : null;
  const oracle =
    selectedWhere(selected, (a) => a.family === "model-oracle").length > 0 && homophones === null
      ? await oracleView(plain.dir, enc.dir, arch.task, progress, plainQueries)
      : undefined;
  const wantsResidual =
    homophones === null && selectedWhere(selected, (a) => a.name.startsWith(RESIDUAL_PREFIX)).length > 0;
  const residual = wantsResidual ? residualStatesView(plain.dir, enc.dir, plainQueries) : undefined;
  if (typeof residual === "string") process.stderr.write(`  residual states not queried: ${residual}\n`);
  const main: AttackSuiteInput = {
    ...(residual && typeof residual !== "string" ? { residualStates: residual } : {}),
    architecture: plain.arch,
    scheme: String(eeJson.scheme),
    model: String(eeJson.preset ?? plain.arch),
    vocabSize: perm.length,
    truePermutation: perm,
    priorKind: texts ? priorKind : "none",
    ...(texts
      ? {
          ...(priorKind === "none" ? {} : { prior: texts.prior }),
          ...(texts.specialIds ? { specialIds: texts.specialIds } : {}),
          observed: { name: texts.observed.name, docs: encrypt(texts.observed.docs, "observed") },
          heldOut: { name: texts.heldOut.name, docs: encrypt(texts.heldOut.docs, "held-out") },
          template: texts.template,
        }
      : {}),
    ...(weights ? { weights } : {}),
    ...(oracle ? { oracle } : {}),
    ...(homophones
      ? {
          homophonic: homophonicView(homophones),
        }
      : {}),
  };
  return { main, mergedWeights };
}

/**
 * A homophonic folder's weights, as the weights attacker sees them after its first move: encrypted rows
 * that are bit-identical (the k_t copies of a token) merged into one per group (`mergeIdenticalRows`);
 * scored on the V tokens through the key's decryption of each group's first id. Null, with the reason
 * on stderr, when the rows do not merge into exactly V groups.
 */
function mergedWeightsInput(
  weights: NonNullable<AttackSuiteInput["weights"]>,
  plainOf: Int32Array,
  about: { architecture: string; scheme: string; model: string },
): MergedWeights | null {
  const V = weights.plainEmbedding.rows;
  const m = mergeIdenticalRows(weights);
  const G = m.representatives.length;
  if (G !== V) {
    process.stderr.write(
      `  weights attacks not run: ${weights.encryptedEmbedding.rows} encrypted rows merge into ${G} groups of identical rows, not the ${V} tokens\n`,
    );
    return null;
  }
  const truth = new Int32Array(V).fill(-1);
  m.representatives.forEach((e, g) => {
    truth[plainOf[e]] = g;
  });
  const missing = truth.indexOf(-1);
  if (missing >= 0) throw new Error(`homophone groups: no group decrypts to token ${missing}`);
  return {
    input: { ...about, vocabSize: V, truePermutation: truth, priorKind: "none", weights: m.view },
    note: `${weights.encryptedEmbedding.rows} encrypted rows → ${G} groups of bit-identical rows, merged first`,
  };
}

/** The weights attacker's merged view of a homophonic folder, and the note its rows carry. */
interface MergedWeights {
  input: AttackSuiteInput;
  note: string;
}

/** Scoring truth and public sizing rule of a homophonic key's table (the suite's `homophonic` input). */
export function homophonicView(table: HomophoneTable): HomophonicView {
  return {
    trueDecryption: table.plainOf,
    allocate: (counts: Float64Array, extraIds: number) => allocateHomophones(counts, extraIds),
  };
}

/** What `ee attack` runs on a folder: the suite input, and for a homophonic folder the merged weights. */
export interface AttackInputs {
  /** Every attack's input (traffic, oracle, hidden states; weights unless homophonic). */
  main: AttackSuiteInput;
  /** Homophonic folders: the weights attacks' input after merging identical rows; else null. */
  mergedWeights: MergedWeights | null;
}

/**
 * Run the suite on `inputs.main`, and the weights attacks on the merged view of a homophonic folder;
 * one report (the merged rows carry the merge in their note and replace the "skipped" entries).
 */
export async function runAttacks(inputs: AttackInputs, opts: AttackSuiteOptions): Promise<AttackReport> {
  const report = await runAttackSuite(inputs.main, opts);
  const merged = inputs.mergedWeights;
  if (!merged) return report;
  const names = selectedWhere(opts.attacks, (a) => a.family === "public-weights");
  const extra = await runAttackSuite(merged.input, { ...opts, attacks: names });
  const ran = new Set(extra.rows.map((r) => r.attack));
  return {
    ...report,
    rows: [...report.rows, ...extra.rows.map((r) => ({ ...r, note: `${merged.note}; ${r.note}` }))],
    skipped: [...report.skipped.filter((x) => !ran.has(x.attack)), ...extra.skipped],
  };
}

/** Oracle progress on stderr, about every 10 %. */
function progress(which: string, done: number, total: number): void {
  const step = Math.max(1, Math.ceil(total / 10));
  if (done === total || Math.floor(done / step) !== Math.floor((done - 1) / step))
    process.stderr.write(`  logits oracle: ${which} model, ${done}/${total} queries\n`);
}

/** True when a parsed config says the LM head is the embedding (tied). */
function tied(cfg: unknown): boolean {
  return (cfg as { tieWordEmbeddings?: boolean }).tieWordEmbeddings === true;
}

/**
 * The token tables the weights attacker holds: plain ones from the public checkpoint, encrypted ones
 * read back out of the encrypted ONNX file. A decoder's LM head is compared with the public gain of the
 * final norm folded in on both sides (`w_t ⊙ g`): Llama `full` writes the gain into the encrypted head
 * and sets the norm to 1, `vocab` leaves both where they were; after the fold the rows agree either way.
 * A tied plain head is the plain embedding.
 */
function tokenTables(
  plain: ReturnType<typeof readModelFolder>,
  enc: ReturnType<typeof readModelFolder>,
  plainWeights: Map<string, Tensor>,
  tables: { embedding: string; lmHead?: string; headNormGain?: string },
): AttackSuiteInput["weights"] {
  const encHasHead = tables.lmHead !== undefined && !tied(enc.cfg);
  const encNames = [
    tables.embedding,
    ...(encHasHead ? [tables.lmHead as string] : []),
    ...(encHasHead && tables.headNormGain ? [tables.headNormGain] : []),
  ];
  const encWeights = readOnnxInitializers(enc.onnxPath, encNames);
  const get = (m: Map<string, Tensor>, name: string, where: string): Tensor => {
    const t = m.get(name);
    if (!t) throw new Error(`${where}: no tensor ${name}`);
    return t;
  };
  const plainEmbedding = matrix(
    get(plainWeights, tables.embedding, plain.dir),
    `${plain.dir}: ${tables.embedding}`,
  );
  const encryptedEmbedding = matrix(
    get(encWeights, tables.embedding, enc.onnxPath),
    `${enc.onnxPath}: ${tables.embedding}`,
  );
  if (!encHasHead) return { plainEmbedding, encryptedEmbedding };
  const headName = tables.lmHead as string;
  let plainLmHead = tied(plain.cfg)
    ? plainEmbedding
    : matrix(get(plainWeights, headName, plain.dir), `${plain.dir}: ${headName}`);
  let encryptedLmHead = matrix(get(encWeights, headName, enc.onnxPath), `${enc.onnxPath}: ${headName}`);
  if (tables.headNormGain) {
    const g = tables.headNormGain;
    const gain = (t: Tensor, where: string): Float32Array => {
      if (!(t.data instanceof Float32Array)) throw new Error(`${where}: ${g} is not float32`);
      return t.data;
    };
    plainLmHead = foldRowGain(
      plainLmHead,
      gain(get(plainWeights, g, plain.dir), plain.dir),
      `${plain.dir}: ${g}`,
    );
    encryptedLmHead = foldRowGain(
      encryptedLmHead,
      gain(get(encWeights, g, enc.onnxPath), enc.onnxPath),
      `${enc.onnxPath}: ${g}`,
    );
  }
  return { plainEmbedding, encryptedEmbedding, plainLmHead, encryptedLmHead };
}

export function parseSweep(text: string): number[] {
  const sweep = text.split(",").map((s) => Number(s.trim()));
  if (sweep.length === 0 || sweep.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`--observed must be positive integers separated by commas, got "${text}"`);
  }
  return sweep;
}

export async function attackCommand(opts: AttackCliOptions): Promise<void> {
  if (opts.trafficLog !== undefined) return trafficAttackCommand({ ...opts, trafficLog: opts.trafficLog });
  const observedTokenSweep = parseSweep(opts.observed ?? DEFAULT_SWEEP);
  const inputs = await attackInput(opts);
  const attacks = selectAttacks(opts.attacks);
  const report = await runAttacks(inputs, {
    ...DEFAULT_SUITE_OPTIONS,
    ...(attacks ? { attacks } : {}),
    seed: opts.seed,
    observedTokenSweep,
    onRow: printRow,
  });
  writeAttackReport(report, opts.out);
}

/** One progress line per measured row, on stderr. */
export function printRow(row: AttackRow): void {
  process.stderr.write(
    `  ${row.attack.padEnd(24)} ${String(row.observedTokens).padStart(7)} tokens  top-1 ${row.top1Pct.toFixed(2)} %  (${(row.wallMs / 1000).toFixed(1)} s)\n`,
  );
}

/** Print the report's Markdown; with `out`, write attack.json / attack.md / attack.vl.json there. */
export function writeAttackReport(report: AttackReport, out: string | undefined): void {
  const markdown = renderAttackMarkdown([report]);
  process.stdout.write(`${markdown}\n`);
  if (out) {
    const dir = resolve(out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "attack.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, "attack.md"), `${markdown}\n`);
    writeFileSync(
      join(dir, "attack.vl.json"),
      `${JSON.stringify(recoveryChartSpec(recoveryChartData([report])), null, 2)}\n`,
    );
    process.stdout.write(`wrote ${dir}/attack.{json,md,vl.json}\n`);
  }
}

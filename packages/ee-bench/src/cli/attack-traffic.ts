/**
 * `ee attack --traffic-log FILE --model <plain-dir> --encrypted <enc-dir> [--key <key-file>]`: the
 * traffic attacks (ciphertext-only, known-plaintext) on what `ee serve --log-requests FILE` recorded —
 * the prompts' encrypted ids as the server saw them. The attacker's prior text is the same as
 * `ee attack`'s (the public tokenizer of the plain folder on the attacker's share of the data).
 *
 * With `--key` (the evaluator's ground truth, used ONLY to score) the report scores every attack on the
 * logged prompts themselves: the user's own tokens (template and special tokens apart), by occurrence
 * and by type, per frequency band. Without it, the command prints and writes the attacker's guesses.
 *
 * A log of a homophonic folder (V' > V encrypted ids, several per frequent token) is attacked by the
 * attacks that handle homophonic ids; the keyless attacker knows V' (the served config) and the
 * scheme's public sizing rule, the evaluator's key adds the true decryption of every id for scoring.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  ATTACKS,
  DEFAULT_SUITE_OPTIONS,
  guessTraffic,
  runAttackSuite,
  type TokenCorpus,
  type TrafficGuess,
  truncateCorpus,
} from "ee-attacks";
import { loadKey, type Permutation } from "ee-core";
import {
  allocateHomophones,
  getArchitecture,
  homophoneTable,
  LlamaTokenizer,
  loadTokenizer,
} from "ee-models";
import {
  type AttackCliOptions,
  attackerTexts,
  homophonicView,
  openFolders,
  parsePrior,
  parseSweep,
  printRow,
  selectAttacks,
  TRAFFIC_FAMILIES,
  writeAttackReport,
} from "./attack.js";
import { readTrafficLog } from "./attack-log.js";
import { acquireDatasets } from "./fetch.js";

/**
 * The traffic attacks named by `--attacks` (default: every registered traffic attack; on a log of
 * homophonic ids, every one that handles them).
 */
function trafficAttacks(list: string | undefined, homophonic: boolean): string[] {
  const selected = selectAttacks(list) ?? ATTACKS.map((a) => a.name);
  const traffic = ATTACKS.filter((a) => TRAFFIC_FAMILIES.includes(a.family));
  const usable = traffic.filter((a) => !homophonic || a.homophonic).map((a) => a.name);
  if (list !== undefined) {
    const other = selected.filter((n) => !traffic.some((a) => a.name === n));
    if (other.length > 0)
      throw new Error(
        `--traffic-log: ${other.join(", ")} ${other.length === 1 ? "is not a traffic attack" : "are not traffic attacks"}; a request log feeds only ${TRAFFIC_FAMILIES.join(" and ")} attacks`,
      );
    const single = selected.filter((n) => !usable.includes(n));
    if (single.length > 0)
      throw new Error(
        `--traffic-log: ${single.join(", ")} ${single.length === 1 ? "assumes" : "assume"} one encrypted id per token, and the log is of homophonic ids; attacks that handle them: ${usable.join(", ")}`,
      );
  }
  return selected.filter((n) => usable.includes(n));
}

/** `ee attack --traffic-log`. */
export async function trafficAttackCommand(opts: AttackCliOptions & { trafficLog: string }): Promise<void> {
  const { plain, enc, eeJson } = openFolders(opts);
  const V = plain.cfg.vocabSize;
  // V' (public: the served config's vocabulary) > V: homophonic ids, several per frequent token
  const Vp = enc.cfg.vocabSize;
  if (Vp < V)
    throw new Error(`--encrypted ${enc.dir}: ${Vp} encrypted ids for the plain model's ${V} tokens`);
  const homophonic = Vp > V;
  const priorKind = parsePrior(opts.prior);
  if (priorKind === "none")
    throw new Error("--traffic-log with --prior none: every traffic attack needs the attacker's prior text");
  const attacks = trafficAttacks(opts.attacks, homophonic);
  const log = readTrafficLog(resolve(opts.trafficLog), Vp);
  const observed: TokenCorpus = {
    name: `${opts.trafficLog}: ${log.prompts.length} prompts of ${log.requests} requests`,
    docs: log.prompts,
  };
  const total = log.prompts.reduce((n, p) => n + p.length, 0);
  process.stderr.write(
    `traffic log ${opts.trafficLog}: ${log.requests} requests, ${log.prompts.length} prompts, ${total} prompt tokens (${log.outputTokens} generated tokens not attacked, ${log.skippedLines} lines without traffic)${homophonic ? `; homophonic ids: ${Vp} encrypted ids for ${V} tokens` : ""}\n`,
  );
  const arch = getArchitecture(plain.arch);
  const dataDir = await acquireDatasets(["imdb", "sharegpt", "mt-bench"], opts.dataDir);
  const texts = await attackerTexts(arch.task, plain.dir, dataDir, opts.seed, priorKind);
  const observedTokenSweep = opts.observed === undefined ? [total] : parseSweep(opts.observed);

  if (opts.key === undefined) {
    const guesses = guessTraffic(
      {
        architecture: plain.arch,
        vocabSize: V,
        prior: texts.prior,
        priorKind,
        // guesses from the first n logged tokens, n the largest --observed value
        observed: truncateCorpus(observed, Math.max(...observedTokenSweep)),
        template: texts.template,
        ...(homophonic ? { homophonic: { encryptedVocabSize: Vp, allocate: allocateHomophones } } : {}),
      },
      attacks,
      { seed: opts.seed },
    );
    const decode = await publicDecoder(arch.task, plain.dir);
    process.stdout.write(renderGuesses(guesses, log.prompts[0], decode));
    if (opts.out) writeGuesses(opts.out, opts.trafficLog, guesses);
    return;
  }
  const key = loadKey(resolve(opts.key), {
    architecture: enc.arch,
    fingerprint: String(eeJson.keyFingerprint),
  });
  const vocab = key.components.get("vocab.perm");
  if (!vocab) throw new Error(`${opts.key}: key has no "vocab.perm" component`);
  // homophonic ids: copy 0 of each token stands for π, the key's table decrypts every copy
  const homophones = homophonic ? homophoneTable(key, V) : null;
  if (homophonic && !homophones)
    throw new Error(
      `${opts.key}: ${enc.dir} has ${Vp} encrypted ids for ${V} tokens, but the key has no homophone counts`,
    );
  const report = await runAttackSuite(
    {
      architecture: plain.arch,
      scheme: String(eeJson.scheme),
      model: String(eeJson.preset ?? plain.arch),
      vocabSize: V,
      truePermutation: homophones ? homophones.first : (vocab.tensor.data as Permutation),
      ...(homophones ? { homophonic: homophonicView(homophones) } : {}),
      priorKind,
      prior: texts.prior,
      observed,
      // scored on the logged prompts themselves: what the attacker read of the traffic it saw
      heldOut: { name: `${observed.name} (the observed traffic itself)`, docs: log.prompts },
      template: texts.template,
      ...(texts.specialIds ? { specialIds: texts.specialIds } : {}),
    },
    { ...DEFAULT_SUITE_OPTIONS, attacks, seed: opts.seed, observedTokenSweep, onRow: printRow },
  );
  writeAttackReport(report, opts.out);
}

/** Plain ids → text with the public tokenizer of the plain folder (what the attacker reads). */
async function publicDecoder(
  task: "sequence-classification" | "causal-lm",
  plainDir: string,
): Promise<(ids: number[]) => string> {
  if (task === "causal-lm") {
    const tok = LlamaTokenizer.fromFolder(plainDir);
    return (ids) => tok.decode(ids, true);
  }
  const tok = await loadTokenizer(plainDir);
  return (ids) => tok.decode(ids, { skip_special_tokens: false });
}

/** Per attack: how many ids it guessed, and the first logged prompt as it reads it. */
function renderGuesses(
  guesses: TrafficGuess[],
  first: Int32Array,
  decode: (ids: number[]) => string,
): string {
  const lines = [
    "| attack | family | ids guessed | the first logged prompt as this attack reads it (first 32 tokens) | note |",
    "|---|---|---|---|---|",
  ];
  for (const g of guesses) {
    const n = g.decrypt.reduce((c, t) => c + (t >= 0 ? 1 : 0), 0);
    const read = decode(Array.from(first.subarray(0, 32), (e) => g.decrypt[e]))
      .replaceAll("|", "\\|")
      .replaceAll("\n", " ");
    lines.push(`| ${g.attack} | ${g.family} | ${n} | ${read} | ${g.note} |`);
  }
  return `${lines.join("\n")}\n\nNo key given: guesses only, not scored.\n`;
}

/** `guesses.json`: per attack, the guessed plain id of every observed encrypted id. */
function writeGuesses(out: string, logPath: string, guesses: TrafficGuess[]): void {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const body = {
    log: logPath,
    attacks: guesses.map((g) => ({
      attack: g.attack,
      family: g.family,
      note: g.note,
      wallMs: g.wallMs,
      guesses: Object.fromEntries(Array.from(g.decrypt, (t, e) => [e, t] as const).filter(([, t]) => t >= 0)),
    })),
  };
  writeFileSync(join(dir, "guesses.json"), `${JSON.stringify(body, null, 2)}\n`);
  process.stdout.write(`wrote ${dir}/guesses.json\n`);
}

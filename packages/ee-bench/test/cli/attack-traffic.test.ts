/**
 * `ee attack --traffic-log` on a real request log: an encrypted bert-tiny (real 30,522-token
 * tokenizer) served by `ee serve --log-requests` on loopback, fed IMDB reviews from the victim's share
 * of the data by the HTTP EE client; then the log is attacked by the built CLI (child processes).
 * The numbers are checked against an independent computation on the ids the client sent (the plain
 * ids mapped through the key here), not against fixed values. The same reviews go to a homophonic
 * folder of the same model: its log is attacked by the homophone-aware attacks, with and without the key.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type AttackRow, frequencyAttack, unigramCounts } from "ee-attacks";
import { loadKey } from "ee-core";
import { EEHttpClient, homophoneTable, loadTokenizer } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireDatasets } from "../../src/cli/fetch.js";
import { loadDataset } from "../../src/datasets/registry.js";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;
const V = 30522;
/** Reviews sent (requests of 32); bert-tiny reads at most 64 positions. */
const REVIEWS = 384;
const MAX_LEN = 64;
const SEED = 1;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function ee(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [EE, ...args], { cwd: dir, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `ee attack --traffic-log LOG --model plain --encrypted ENC …rest` in the test folder. */
const attackLog = (log: string, enc: string, ...rest: string[]): Promise<Outcome> =>
  ee("attack", "--traffic-log", log, "--model", "plain", "--encrypted", enc, ...rest);

let dir: string;
let server: ChildProcess | undefined;
/** Plain ids of every prompt sent, [CLS] … [SEP]. */
let sentPlain: Int32Array[];
/** The same prompts as the client sent them: π(ids). */
let sentEnc: Int32Array[];
/** The attacker's prior, tokenized here the way the CLI's data split defines it (first half of IMDB, seed 1). */
let priorDocs: Int32Array[];
let perm: Int32Array;

/**
 * `ee serve FOLDER --log-requests LOG` on loopback, the plain prompts sent by the HTTP EE client under
 * `key` in requests of 32, then the server stopped gracefully (the log is flushed and closed).
 */
async function serveAndSend(folder: string, key: string, log: string, prompts: Int32Array[]): Promise<void> {
  const child = spawn(process.execPath, [EE, "serve", folder, "--port", "0", "--log-requests", log], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = child;
  let stdout = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ee serve did not start: ${stdout}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const client = await EEHttpClient.open({ endpoint: url, keyPath: join(dir, key) });
  try {
    for (let i = 0; i < prompts.length; i += 32) await client.classify(prompts.slice(i, i + 32));
  } finally {
    await client.close();
  }
  const done = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill("SIGTERM");
  expect(await done).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-attack-traffic-"));
  for (const args of [
    ["build", "bert-tiny", "--out", "plain", "--seed", "3"],
    ["encrypt", "plain", "--out", "enc", "--key", "k.key", "--scheme", "full"],
  ]) {
    const r = await ee(...args);
    expect(r.code, r.stderr).toBe(0);
  }
  perm = loadKey(join(dir, "k.key")).components.get("vocab.perm")?.tensor.data as Int32Array;
  const tok = await loadTokenizer(join(dir, "plain"));
  const dataDir = await acquireDatasets(["imdb"]);
  const reviews = (
    await loadDataset({ name: "imdb", count: Number.MAX_SAFE_INTEGER }, { dataDir, seed: SEED })
  ).samples;
  const encode = (text: string): Int32Array => {
    const ids = tok.encode(text) as number[];
    return Int32Array.from(ids.length <= MAX_LEN ? ids : [...ids.slice(0, MAX_LEN - 1), ids[ids.length - 1]]);
  };
  const nPrior = Math.floor(reviews.length * 0.5);
  priorDocs = reviews.slice(0, nPrior).map((s) => Int32Array.from(tok.encode(s.text) as number[]));
  sentPlain = reviews.slice(nPrior, nPrior + REVIEWS).map((s) => encode(s.text));
  sentEnc = sentPlain.map((d) => d.map((t) => perm[t]));

  await serveAndSend("enc", "k.key", "seen.jsonl", sentPlain);
  // the homophonic folder (default sizing: IMDB test reviews, a quarter of V extra ids), served alike
  const h = await ee("encrypt", "plain", "--out", "henc", "--key", "h.key", "--scheme", "homophonic");
  expect(h.code, h.stderr).toBe(0);
  await serveAndSend("henc", "h.key", "homophonic.jsonl", sentPlain);
}, 300_000);

afterAll(() => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The frequency attack on the ids the client sent (not read from the log). */
function frequencyOnSent() {
  const prior = unigramCounts({ name: "prior", docs: priorDocs }, V);
  return frequencyAttack(prior, unigramCounts({ name: "sent", docs: sentEnc }, V));
}

/** Share of user tokens ([CLS]/[SEP] excluded) whose first guess is right: by occurrence and by type. */
function userRecovery(firstGuess: (e: number) => number): {
  occurrencePct: number;
  typePct: number;
  tokens: number;
} {
  let right = 0;
  let tokens = 0;
  const types = new Map<number, boolean>();
  for (const d of sentPlain)
    for (let i = 1; i < d.length - 1; i++) {
      const ok = firstGuess(perm[d[i]]) === d[i];
      tokens++;
      if (ok) right++;
      types.set(d[i], ok);
    }
  const typesRight = [...types.values()].filter(Boolean).length;
  return { occurrencePct: (100 * right) / tokens, typePct: (100 * typesRight) / types.size, tokens };
}

describe("ee attack --traffic-log (bert-tiny full, served on loopback)", () => {
  it("the log holds exactly the encrypted prompts the client sent", () => {
    const lines = readFileSync(join(dir, "seen.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const logged = lines.filter((l) => l.status === 200 && l.promptTokenIds).flatMap((l) => l.promptTokenIds);
    const key = (docs: ArrayLike<number>[]) => docs.map((d) => Array.from(d).join(",")).sort();
    expect(key(logged)).toEqual(key(sentEnc));
    expect(logged.length).toBe(REVIEWS);
  });

  it("with the key: scores the frequency attack on the log as computed on the sent ids", async () => {
    const r = await attackLog(
      "seen.jsonl",
      "enc",
      "--key",
      "k.key",
      "--attacks",
      "frequency-rank",
      "--out",
      "scored",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${REVIEWS / 32} requests, ${REVIEWS} prompts`));
    const report = JSON.parse(readFileSync(join(dir, "scored", "attack.json"), "utf8")) as {
      rows: AttackRow[];
    };
    expect(report.rows).toHaveLength(1);
    const row = report.rows[0];
    const total = sentEnc.reduce((n, d) => n + d.length, 0);
    expect(row.observedTokens).toBe(total);
    const freq = frequencyOnSent();
    const want = userRecovery((e) => freq.ranking.ids[e * freq.ranking.depth]);
    const held = row.heldOut;
    if (!held) throw new Error("no held-out breakdown");
    expect(held.user.tokens).toBe(want.tokens);
    expect(held.user.occurrencePct).toBeCloseTo(want.occurrencePct, 9);
    expect(held.user.typePct).toBeCloseTo(want.typePct, 9);
    // [CLS] and [SEP] of every prompt: reported apart
    expect(held.template.tokens).toBe(2 * REVIEWS);
    expect(held.bands.reduce((n, b) => n + b.share.tokens, 0)).toBe(want.tokens);
    // the attack is not trivially right or wrong on real text
    expect(want.occurrencePct).toBeGreaterThan(1);
    expect(want.occurrencePct).toBeLessThan(90);
    // top-1 over the distinct observed ids, the mapping metric
    const distinct = [...new Set(sentEnc.flatMap((d) => Array.from(d)))];
    const sigma = new Int32Array(V);
    for (let t = 0; t < V; t++) sigma[perm[t]] = t;
    const mapRight = distinct.filter((e) => freq.ranking.ids[e * freq.ranking.depth] === sigma[e]).length;
    expect(row.scoredIds).toBe(distinct.length);
    expect(row.top1Pct).toBeCloseTo((100 * mapRight) / distinct.length, 9);
  }, 240_000);

  it("without the key: prints and writes the attacker's guesses, the same as on the sent ids", async () => {
    const r = await attackLog("seen.jsonl", "enc", "--attacks", "frequency-rank", "--out", "guesses");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No key given: guesses only, not scored/);
    const body = JSON.parse(readFileSync(join(dir, "guesses", "guesses.json"), "utf8")) as {
      attacks: { attack: string; guesses: Record<string, number> }[];
    };
    const freq = frequencyOnSent();
    const distinct = [...new Set(sentEnc.flatMap((d) => Array.from(d)))].sort((a, b) => a - b);
    const g = body.attacks[0].guesses;
    expect(
      Object.keys(g)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(distinct);
    for (const e of distinct) expect(g[e]).toBe(freq.ranking.ids[e * freq.ranking.depth]);
    // the first logged prompt, as each attack reads it (decoded with the public tokenizer)
    expect(r.stdout).toMatch(/\| frequency-rank \| ciphertext-only \| \d+ \| \S.* \| unigram rank/);
    // --observed n: guesses from the first n logged tokens only
    const firstN = await attackLog(
      "seen.jsonl",
      "enc",
      "--attacks",
      "frequency-rank",
      "--observed",
      "500",
      "--out",
      "guesses-500",
    );
    expect(firstN.code, firstN.stderr).toBe(0);
    const logged: number[] = readFileSync(join(dir, "seen.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.status === 200 && l.promptTokenIds)
      .flatMap((l) => l.promptTokenIds.flat());
    const first500 = JSON.parse(readFileSync(join(dir, "guesses-500", "guesses.json"), "utf8")) as {
      attacks: { guesses: Record<string, number> }[];
    };
    expect(Object.keys(first500.attacks[0].guesses).length).toBe(new Set(logged.slice(0, 500)).size);
  }, 240_000);

  it("names the file and line of a malformed log, and refuses non-traffic attacks", async () => {
    const good = readFileSync(join(dir, "seen.jsonl"), "utf8").split("\n")[0];
    const cases: [string, RegExp][] = [
      [
        `${good}\n{"status":200,"promptTokenIds":[[1,"x"]]}\n`,
        /bad\.jsonl:2: field "promptTokenIds" must be/,
      ],
      [`${good}\n\nnot json\n`, /bad\.jsonl:3: not JSON/],
      [
        `{"status":200,"promptTokenIds":[[5,${V}]]}\n`,
        new RegExp(`bad\\.jsonl:1: id ${V} .* outside the encrypted vocabulary`),
      ],
      [`{"route":"GET /v1/models"}\n`, /bad\.jsonl:1: field "status" missing/],
      [`{"status":404,"route":"GET /x"}\n`, /no successful request with prompts \(1 lines without traffic\)/],
    ];
    for (const [text, want] of cases) {
      writeFileSync(join(dir, "bad.jsonl"), text);
      const r = await attackLog("bad.jsonl", "enc");
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(want);
    }
    const weights = await attackLog("seen.jsonl", "enc", "--attacks", "public-weights");
    expect(weights.code).toBe(1);
    expect(weights.stderr).toMatch(
      /not traffic attacks; a request log feeds only ciphertext-only and known-plaintext/,
    );
    const noKey = await ee("attack", "--model", "plain", "--encrypted", "enc");
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/--key is required/);
  }, 120_000);
});

describe("ee attack --traffic-log on a homophonic folder (several encrypted ids per frequent token)", () => {
  /** The logged prompts (encrypted ids, V' > V) and the key's decryption of every encrypted id. */
  function loggedHomophonic(): { prompts: number[][]; plainOf: Int32Array } {
    const prompts = readFileSync(join(dir, "homophonic.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.status === 200 && l.promptTokenIds)
      .flatMap((l) => l.promptTokenIds as number[][]);
    const table = homophoneTable(loadKey(join(dir, "h.key")), V);
    if (!table) throw new Error("h.key has no homophone table");
    return { prompts, plainOf: table.plainOf };
  }

  it("the log holds the sent prompts as homophones: they decrypt to the plain prompts, ids beyond V occur", () => {
    const { prompts, plainOf } = loggedHomophonic();
    const key = (docs: ArrayLike<number>[]) => docs.map((d) => Array.from(d).join(",")).sort();
    expect(key(prompts.map((p) => p.map((e) => plainOf[e])))).toEqual(key(sentPlain));
    const ids = prompts.flat();
    expect(ids.some((e) => e >= V)).toBe(true);
    // frequent tokens travel as several ids: more distinct encrypted ids than distinct plain tokens
    expect(new Set(ids).size).toBeGreaterThan(new Set(ids.map((e) => plainOf[e])).size);
  });

  it("keyed and keyless runs agree: the key scores exactly the guesses the keyless attacker writes", async () => {
    const attack = ["--attacks", "frequency-rank-homophone-aware"];
    const scored = await attackLog(
      "homophonic.jsonl",
      "henc",
      ...attack,
      "--key",
      "h.key",
      "--out",
      "h-scored",
    );
    expect(scored.code, scored.stderr).toBe(0);
    expect(scored.stderr).toMatch(
      new RegExp(`homophonic ids: ${readEncVocab()} encrypted ids for ${V} tokens`),
    );
    const guessed = await attackLog("homophonic.jsonl", "henc", ...attack, "--out", "h-guesses");
    expect(guessed.code, guessed.stderr).toBe(0);
    const row = (
      JSON.parse(readFileSync(join(dir, "h-scored", "attack.json"), "utf8")) as { rows: AttackRow[] }
    ).rows[0];
    const g = (
      JSON.parse(readFileSync(join(dir, "h-guesses", "guesses.json"), "utf8")) as {
        attacks: { guesses: Record<string, number> }[];
      }
    ).attacks[0].guesses;
    // score the keyless guesses here, independently of the suite's scoring
    const { prompts, plainOf } = loggedHomophonic();
    let right = 0;
    let tokens = 0;
    for (const p of prompts)
      for (let i = 1; i < p.length - 1; i++) {
        tokens++;
        if (g[p[i]] === plainOf[p[i]]) right++;
      }
    const distinct = [...new Set(prompts.flat())];
    expect(Object.keys(g).length).toBe(distinct.length);
    const held = row.heldOut;
    if (!held) throw new Error("no held-out breakdown");
    expect(held.user.tokens).toBe(tokens);
    expect(held.user.occurrencePct).toBeCloseTo((100 * right) / tokens, 9);
    const idsRight = distinct.filter((e) => g[e] === plainOf[e]).length;
    expect(row.scoredIds).toBe(distinct.length);
    expect(row.top1Pct).toBeCloseTo((100 * idsRight) / distinct.length, 9);
    // real text, real attack: neither nothing nor everything
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(tokens);
  }, 240_000);

  it("refuses attacks that assume one id per token, naming those that handle homophones", async () => {
    const r = await attackLog("homophonic.jsonl", "henc", "--attacks", "hill-climb-bigram,frequency-rank");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /hill-climb-bigram assumes one encrypted id per token, and the log is of homophonic ids; attacks that handle them: .*frequency-rank-homophone-aware/,
    );
  }, 120_000);
});

/** V' of the homophonic folder (its config's vocabulary). */
function readEncVocab(): number {
  return JSON.parse(readFileSync(join(dir, "henc", "config.json"), "utf8")).vocab_size;
}

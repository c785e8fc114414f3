/**
 * The measured attack table (not a test): ciphertext-only and known-plaintext attacks on real
 * tokenised text (IMDB for BERT, ShareGPT/MT-Bench for Llama 3.1), public-weights and hidden-state
 * attacks on synthetic weights of the real shapes under `vocab` and `full`.
 *
 *   node packages/ee-attacks/dist/bench/attack.bench.js [--models bert-base,llama-3.1-mini]
 *        [--schemes vocab,full] [--sweep 1000,10000,100000,1000000] [--llama-rows 16384] [--out DIR]
 *
 * Writes attack-table.md, attack-report.json and attack-chart.vl.json to DIR
 * (default <repo>/reports/attacks/, machine-local like every run output).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRandom, type Permutation, randomPermutation } from "ee-core";
import { ATTACKS } from "../registry.js";
import { renderAttackMarkdown } from "../report/markdown.js";
import { recoveryChartData, recoveryChartSpec } from "../report/vega.js";
import { runAttackSuite } from "../suite.js";
import type { AttackReport, AttackSuiteOptions, TokenCorpus } from "../types.js";
import { resolveDataDir } from "./data-dir.js";
import { encryptTables, plainTables } from "./synthetic-weights.js";
import { type BenchTokenizer, bertTokenizer, llamaTokenizer } from "./tokenizers.js";
import { bertWorkload, llamaWorkload, type Workload } from "./workloads.js";

// ---- settings ------------------------------------------------------------------------------
/** Seed of π, the synthetic weights, the hidden bases and every attack's randomness. */
const SEED = 20261124;
/** Observed-token sweep (clipped to the victim corpus). */
const DEFAULT_SWEEP = [1_000, 10_000, 100_000, 300_000];
/** Rows of the synthetic Llama tables (128,256 in the real model; a subset keeps E·Q affordable in JS). */
const DEFAULT_LLAMA_ROWS = 16_384;
/** Activation rows inverted per hidden-state attack (cost 2·rows·V·d). */
const HIDDEN_ROWS = 128;
/** Attack settings. */
const SUITE: Partial<AttackSuiteOptions> = {
  seed: SEED,
  hillClimb: { restarts: 1, maxPasses: 10, proposalsPerSymbol: 20, perturbSwaps: 200, discount: 0.75 },
  randomSearch: { samples: 100 },
  genetic: { population: 12, generations: 20, mutationRate: 0.02 },
  maxHiddenStateRows: HIDDEN_ROWS,
};

/** The benchmarked models: tokenizer, workload and table shape. */
const MODELS: readonly {
  name: string;
  architecture: "bert" | "llama";
  hidden: number;
  tokenizer: (dataDir: string) => BenchTokenizer;
  workload: (t: BenchTokenizer, dataDir: string) => Workload;
}[] = [
  { name: "bert-base", architecture: "bert", hidden: 768, tokenizer: bertTokenizer, workload: bertWorkload },
  {
    name: "llama-3.1-mini",
    architecture: "llama",
    hidden: 1024,
    tokenizer: () => llamaTokenizer(),
    workload: llamaWorkload,
  },
];
const SCHEMES = ["vocab", "full"] as const;

// ---- helpers -------------------------------------------------------------------------------
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function encrypt(c: TokenCorpus, pi: Permutation): TokenCorpus {
  return { name: c.name, docs: c.docs.map((d) => d.map((t) => pi[t])) };
}

function log(msg: string): void {
  process.stderr.write(`[attack.bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Rows of the synthetic tables: every token of the first `n` held-out positions plus random others, `rows` in all. */
function tableRows(
  V: number,
  rows: number,
  heldOut: TokenCorpus,
  n: number,
  rngSeed: string,
): { ids: Int32Array; hiddenRows: Int32Array; positions: Int32Array } {
  const tokens: number[] = [];
  const positions: number[] = [];
  for (const doc of heldOut.docs) {
    for (let i = 0; i < doc.length && tokens.length < n; i++) {
      tokens.push(doc[i]);
      positions.push(i);
    }
    if (tokens.length >= n) break;
  }
  let ids: Int32Array;
  if (rows >= V) ids = Int32Array.from({ length: V }, (_, i) => i);
  else {
    const chosen = new Set(tokens);
    const order = randomPermutation(V, createRandom({ seed: rngSeed }));
    for (let k = 0; chosen.size < rows; k++) chosen.add(order[k]);
    ids = Int32Array.from([...chosen].sort((a, b) => a - b));
  }
  const rowOf = new Map<number, number>();
  for (let r = 0; r < ids.length; r++) rowOf.set(ids[r], r);
  return {
    ids,
    hiddenRows: Int32Array.from(tokens, (t) => rowOf.get(t) ?? -1),
    positions: Int32Array.from(positions),
  };
}

// ---- main ----------------------------------------------------------------------------------
async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const models = (arg("models") ?? MODELS.map((m) => m.name).join(",")).split(",");
  const schemes = (arg("schemes") ?? SCHEMES.join(",")).split(",") as (typeof SCHEMES)[number][];
  const sweep = (arg("sweep") ?? DEFAULT_SWEEP.join(",")).split(",").map(Number);
  const llamaRows = Number(arg("llama-rows") ?? DEFAULT_LLAMA_ROWS);
  const outDir = arg("out") ?? fileURLToPath(new URL("../../../../reports/attacks/", import.meta.url));
  for (const s of schemes)
    if (!SCHEMES.includes(s))
      throw new Error(`--schemes: unknown scheme "${s}" (known: ${SCHEMES.join(", ")})`);
  const trafficAttacks = ATTACKS.filter(
    (a) => a.family === "ciphertext-only" || a.family === "known-plaintext",
  ).map((a) => a.name);
  const weightAttacks = ATTACKS.filter(
    (a) => a.family === "public-weights" || a.family === "hidden-state",
  ).map((a) => a.name);
  const reports: AttackReport[] = [];
  const root = createRandom({ seed: SEED });

  for (const name of models) {
    const spec = MODELS.find((m) => m.name === name);
    if (!spec)
      throw new Error(`--models: unknown model "${name}" (known: ${MODELS.map((m) => m.name).join(", ")})`);
    const t0 = performance.now();
    const tok = spec.tokenizer(dataDir);
    const w = spec.workload(tok, dataDir);
    const count = (c: TokenCorpus) => c.docs.reduce((n, d) => n + d.length, 0);
    log(
      `${name}: tokenised in ${Math.round(performance.now() - t0)} ms — prior ${count(w.prior)} tokens / ${w.prior.docs.length} docs, victim ${count(w.victim)} / ${w.victim.docs.length}, held-out ${count(w.heldOut)} / ${w.heldOut.docs.length}`,
    );
    const pi = randomPermutation(w.vocabSize, root.derive(`${name}/vocab-permutation`));

    // traffic attacks: the ids are identical under vocab and full, so one run covers both
    const traffic = await runAttackSuite(
      {
        architecture: spec.architecture,
        scheme: "vocab = full (ids)",
        model: name,
        vocabSize: w.vocabSize,
        truePermutation: pi,
        prior: w.prior,
        observed: encrypt(w.victim, pi),
        heldOut: encrypt(w.heldOut, pi),
        template: w.template,
      },
      {
        ...SUITE,
        attacks: trafficAttacks,
        observedTokenSweep: sweep,
        onRow: (r) =>
          log(
            `${name} ${r.attack} n=${r.observedTokens}: top-1 ${r.top1Pct.toFixed(2)} %, top-10 ${r.top10Pct.toFixed(2)} %, held-out ${r.heldOutPct?.toFixed(2)} % (${Math.round(r.wallMs)} ms)`,
          ),
      },
    );
    reports.push(traffic);

    // weights + hidden-state attacks on synthetic tables of the real shape
    const rows = spec.architecture === "llama" ? Math.min(llamaRows, w.vocabSize) : w.vocabSize;
    const sel = tableRows(w.vocabSize, rows, w.heldOut, HIDDEN_ROWS, `${SEED}/${name}/rows`);
    const plain = plainTables(spec.architecture, rows, spec.hidden, root.derive(`${name}/plain-tables`));
    const piRows = randomPermutation(rows, root.derive(`${name}/row-permutation`));
    for (const scheme of schemes) {
      const view = encryptTables(
        plain,
        scheme,
        piRows,
        sel.hiddenRows,
        sel.positions,
        `${w.heldOut.name}, first ${sel.hiddenRows.length} tokens`,
        root.derive(`${name}/${scheme}/basis`),
      );
      log(`${name}/${scheme}: encrypted ${rows}×${spec.hidden} tables in ${Math.round(view.buildMs)} ms`);
      const rep = await runAttackSuite(
        {
          architecture: spec.architecture,
          scheme,
          model: rows < w.vocabSize ? `${name} (${rows} of ${w.vocabSize} rows)` : name,
          vocabSize: rows,
          truePermutation: piRows,
          weights: view.weights,
          hiddenStates: view.hidden,
        },
        {
          ...SUITE,
          attacks: weightAttacks,
          observedTokenSweep: sweep,
          onRow: (r) =>
            log(
              `${name}/${scheme} ${r.attack}: top-1 ${r.top1Pct.toFixed(2)} %, top-10 ${r.top10Pct.toFixed(2)} % (${Math.round(r.wallMs)} ms) ${r.note}`,
            ),
        },
      );
      rep.priorCorpus = "synthetic N(0, 0.02²) tables of the real shape (public plain weights)";
      reports.push(rep);
    }
  }

  mkdirSync(outDir, { recursive: true });
  const md = renderAttackMarkdown(reports);
  const command =
    `node packages/ee-attacks/dist/bench/attack.bench.js ${process.argv.slice(2).join(" ")}`.trim();
  writeFileSync(
    join(outDir, "attack-table.md"),
    `# Attack table\n\nCommand: \`${command}\` (seed ${SEED})\n\n${md}`,
  );
  writeFileSync(
    join(outDir, "attack-report.json"),
    `${JSON.stringify({ command, seed: SEED, reports }, null, 2)}\n`,
  );
  writeFileSync(
    join(outDir, "attack-chart.vl.json"),
    `${JSON.stringify(recoveryChartSpec(recoveryChartData(reports)), null, 2)}\n`,
  );
  process.stdout.write(md);
  log(`wrote ${outDir}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

/**
 * `ee attack-report`: the confidentiality report. For every preset × scheme it builds the plain model
 * (`buildModel`, synthetic weights of the real shapes, full vocabulary), encrypts it with `ee encrypt`'s
 * function (`encryptModelFolder`), runs every selected attack on what that wrote (`attackInput`: the
 * encrypted tables are read back out of the folder, the oracle queries the served folder), and measures
 * the scheme's fidelity (paper Eq. 4) and argmax agreement through the default engine (plain vs the EE
 * client over the encrypted folder) on the held-out texts. Writes:
 *   confidentiality.json  every report row + per-scheme fidelity
 *   confidentiality.md    scheme × attack × attacker knowledge, recovery with its metric, and the goal check
 *   pareto.vl.json        best-attack recovery against fidelity loss (Vega-Lite)
 * Keys are seeded (reproducible, NOT secret): this measures schemes, it protects nothing.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AttackReport, AttackRow } from "ee-attacks";
import { DEFAULT_SUITE_OPTIONS, decryptionOf, renderAttackMarkdown } from "ee-attacks";
import { argmaxAgreement, confidence, fidelity } from "ee-core";
import {
  buildModel,
  DEFAULT_ENGINE,
  EncryptedEngine,
  encryptModelFolder,
  getEngine,
  SCHEMES,
} from "ee-models";
import { attackInput, runAttacks, selectAttacks } from "./attack.js";
import type { PlainQueryCache } from "./attack-oracle.js";

/** Options of `ee attack-report` (as commander parses them). */
export interface AttackReportOptions {
  /** Presets, comma-separated. */
  presets: string;
  /** Schemes, comma-separated. */
  schemes: string;
  /** Attacks (names or threat models), comma-separated; default all. */
  attacks?: string;
  /** Observed-token sweep, comma-separated (tokens). */
  observed: string;
  /** Output folder (path). */
  out: string;
  /** Seed of weights, keys, data split and attacks. */
  seed: number;
  /** Held-out inputs used for fidelity (inputs). */
  fidelitySamples: number;
  /** Data directory (path). */
  dataDir?: string;
}

/** Fidelity of one scheme on one model. */
export interface SchemeFidelity {
  /** Preset. */
  model: string;
  /** Scheme. */
  scheme: string;
  /** Paper Eq. 4 on the first output's confidence (percent). */
  fidelityPct: number;
  /** Argmax agreement (percent). */
  argmaxAgreementPct: number;
  /** Inputs compared (inputs). */
  samples: number;
  /** What the inputs were. */
  inputs: string;
}

/** The goal of issue 14 (docs/design.md §13), checked per (model, scheme). */
const GOAL = { ciphertextHeldOutPct: 5, ciphertextTokens: 100_000, weightsVocabPct: 10, fidelityPct: 99 };

const split = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

async function measureFidelity(
  plainDir: string,
  encDir: string,
  keyPath: string,
  inputs: number[][],
): Promise<{ fidelityPct: number; argmaxAgreementPct: number }> {
  const factory = getEngine(DEFAULT_ENGINE);
  const plain = await factory.open(plainDir, { threads: 2 });
  const enc = await EncryptedEngine.open(factory, encDir, keyPath, { threads: 2 });
  try {
    const first = async (e: typeof plain | EncryptedEngine, batch: number[][]): Promise<Float32Array[]> => {
      if (e.task === "classify") {
        const r = await e.classify(batch);
        const L = e.outputSize;
        return batch.map((_, b) => r.logits.data.subarray(b * L, (b + 1) * L));
      }
      const stepper = e.stepper;
      if (!stepper) throw new Error(`${plainDir}: engine has no stepper`);
      const r = await stepper.prefill(batch);
      const V = r.vocabSize;
      return batch.map((_, b) => r.logits.slice(b * V, (b + 1) * V));
    };
    const sVI: number[] = [];
    const sEE: number[] = [];
    const aVI: number[] = [];
    const aEE: number[] = [];
    for (let i = 0; i < inputs.length; i += 8) {
      const batch = inputs.slice(i, i + 8);
      const p = await first(plain, batch);
      const q = await first(enc, batch);
      for (let b = 0; b < batch.length; b++) {
        const cp = confidence(p[b]);
        const cq = confidence(q[b]);
        sVI.push(cp.maxProb);
        sEE.push(cq.maxProb);
        aVI.push(cp.argmax);
        aEE.push(cq.argmax);
      }
    }
    return { fidelityPct: 100 * fidelity(sEE, sVI), argmaxAgreementPct: 100 * argmaxAgreement(aEE, aVI) };
  } finally {
    await plain.close();
    await enc.close();
  }
}

/** The best recovery of a report under each threat model, with the metric it is in. */
function bestByThreat(rows: AttackRow[]): {
  ciphertextHeldOutPct: number | null;
  weightsVocabPct: number | null;
  oracleVocabPct: number | null;
} {
  const maxObs = Math.max(
    0,
    ...rows.filter((r) => r.family === "ciphertext-only").map((r) => r.observedTokens),
  );
  const ct = rows.filter(
    (r) => r.family === "ciphertext-only" && r.observedTokens === maxObs && r.heldOutPct !== null,
  );
  const w = rows.filter((r) => r.family === "public-weights");
  const o = rows.filter((r) => r.family === "model-oracle");
  const max = (xs: number[]) => (xs.length === 0 ? null : Math.max(...xs));
  return {
    ciphertextHeldOutPct: max(ct.map((r) => r.heldOutPct as number)),
    weightsVocabPct: max(w.map((r) => r.top1Pct)),
    oracleVocabPct: max(o.map((r) => r.top1Pct)),
  };
}

function fmt(x: number | null): string {
  return x === null ? "not run" : `${x.toFixed(2)} %`;
}

export async function attackReportCommand(opts: AttackReportOptions): Promise<void> {
  const out = resolve(opts.out);
  const models = join(out, ".models");
  mkdirSync(models, { recursive: true });
  const schemes = split(opts.schemes);
  for (const s of schemes)
    if (!(s in SCHEMES))
      throw new Error(`--schemes: unknown scheme "${s}"; known: ${Object.keys(SCHEMES).join(", ")}`);
  selectAttacks(opts.attacks); // validate early
  const reports: AttackReport[] = [];
  const fidelities: SchemeFidelity[] = [];
  const log = (m: string) => process.stderr.write(`${m}\n`);
  for (const preset of split(opts.presets)) {
    const plainDir = join(models, preset, "plain");
    if (!existsSync(join(plainDir, "config.json"))) {
      log(`${preset}: building the plain model (synthetic weights, seed ${opts.seed})`);
      await buildModel({ preset, outDir: plainDir, seed: opts.seed, dataDir: opts.dataDir });
    }
    // the plain model answers the server's queries once for all schemes
    const plainQueries: PlainQueryCache = { dir: plainDir };
    for (const scheme of schemes) {
      const encDir = join(models, preset, scheme);
      const keyPath = join(models, preset, `${scheme}.key`);
      if (!existsSync(join(encDir, "ee.json"))) {
        log(`${preset}/${scheme}: encrypting`);
        await encryptModelFolder(plainDir, encDir, {
          keyPath,
          scheme,
          seed: `${opts.seed}/${scheme}`,
          preset,
          overwrite: true,
          warn: () => {},
        });
      }
      log(`${preset}/${scheme}: attacks`);
      const attackInputs = await attackInput(
        {
          model: plainDir,
          encrypted: encDir,
          key: keyPath,
          observed: opts.observed,
          seed: opts.seed,
          dataDir: opts.dataDir,
          attacks: opts.attacks,
        },
        plainQueries,
      );
      // the folders carry `preset` in ee.json (encryptModelFolder above), so the rows are labelled with it
      const input = attackInputs.main;
      const report = await runAttacks(attackInputs, {
        ...DEFAULT_SUITE_OPTIONS,
        seed: opts.seed,
        observedTokenSweep: split(opts.observed).map(Number),
        ...(selectAttacks(opts.attacks) ? { attacks: selectAttacks(opts.attacks) } : {}),
        onRow: (row) =>
          log(
            `  ${row.attack.padEnd(26)} ${String(row.observedTokens).padStart(7)}  top-1 ${row.top1Pct.toFixed(2)} %  (${(row.wallMs / 1000).toFixed(1)} s)`,
          ),
      });
      reports.push(report);
      const sigma = input.homophonic?.trueDecryption ?? decryptionOf(input.truePermutation);
      const texts = input.heldOut?.docs
        .slice(0, opts.fidelitySamples)
        .map((d) => Array.from(d, (e) => sigma[e]).slice(0, 64));
      const inputs =
        texts ??
        Array.from({ length: opts.fidelitySamples }, (_, i) => [
          i % input.vocabSize,
          (7 * i + 3) % input.vocabSize,
        ]);
      const f = await measureFidelity(plainDir, encDir, keyPath, inputs);
      fidelities.push({
        model: preset,
        scheme,
        ...f,
        samples: inputs.length,
        inputs: texts
          ? `${input.heldOut?.name} (first ${inputs.length}, ≤ 64 tokens)`
          : "fixed two-token id pairs",
      });
      log(`  fidelity ${f.fidelityPct.toFixed(4)} %, argmax agreement ${f.argmaxAgreementPct.toFixed(2)} %`);
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "confidentiality.json"), `${JSON.stringify({ reports, fidelities }, null, 2)}\n`);
  writeFileSync(join(out, "confidentiality.md"), renderReport(reports, fidelities, opts));
  writeFileSync(join(out, "pareto.vl.json"), `${JSON.stringify(paretoSpec(reports, fidelities), null, 2)}\n`);
  process.stdout.write(`wrote ${out}/confidentiality.{json,md} and pareto.vl.json\n`);
}

/** One point per (model, scheme): best recovery of any attack (vocabulary or held-out) vs fidelity loss. */
function paretoPoints(reports: AttackReport[], fidelities: SchemeFidelity[]) {
  return reports.map((r) => {
    const b = bestByThreat(r.rows);
    const f = fidelities.find((x) => x.model === r.model && x.scheme === r.scheme);
    const worst = Math.max(b.ciphertextHeldOutPct ?? 0, b.weightsVocabPct ?? 0, b.oracleVocabPct ?? 0);
    return {
      model: r.model,
      scheme: r.scheme,
      fidelityLossPct: f ? 100 - f.fidelityPct : null,
      bestRecoveryPct: worst,
      ciphertextHeldOutPct: b.ciphertextHeldOutPct,
      weightsVocabPct: b.weightsVocabPct,
      oracleVocabPct: b.oracleVocabPct,
    };
  });
}

function paretoSpec(reports: AttackReport[], fidelities: SchemeFidelity[]): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Best-attack recovery vs fidelity loss, per scheme (ΔT: every scheme shares full's graph)",
    data: { values: paretoPoints(reports, fidelities) },
    width: 360,
    height: 260,
    mark: { type: "point", filled: true, size: 80 },
    encoding: {
      x: {
        field: "fidelityLossPct",
        type: "quantitative",
        title: "fidelity loss (100 − Eq. 4, %)",
        scale: { type: "symlog" },
      },
      y: {
        field: "bestRecoveryPct",
        type: "quantitative",
        title: "best attack recovery (%)",
        scale: { domain: [0, 100] },
      },
      color: { field: "scheme", type: "nominal" },
      shape: { field: "model", type: "nominal" },
      tooltip: [
        { field: "model" },
        { field: "scheme" },
        { field: "fidelityLossPct", format: ".4f" },
        { field: "ciphertextHeldOutPct", format: ".2f" },
        { field: "weightsVocabPct", format: ".2f" },
        { field: "oracleVocabPct", format: ".2f" },
      ],
    },
  };
}

function renderReport(
  reports: AttackReport[],
  fidelities: SchemeFidelity[],
  opts: AttackReportOptions,
): string {
  const lines: string[] = [];
  lines.push("# Confidentiality report", "");
  lines.push(
    `Command: \`ee attack-report --presets ${opts.presets} --schemes ${opts.schemes}${opts.attacks ? ` --attacks ${opts.attacks}` : ""} --observed ${opts.observed} --seed ${opts.seed} --out <dir>\`. ` +
      "Models are built with synthetic weights of the real shapes and full vocabularies, encrypted by `encryptModelFolder` (what `ee encrypt` writes); attacks read the encrypted folders back. " +
      "ΔT: every scheme here runs full's graph with other weights (same ops, same shapes), so its ΔT is full's; measure it with the Table 2 runner (a suite row with the scheme).",
    "",
  );
  lines.push("## Best recovery per scheme, against the goal", "");
  lines.push(
    `Goal: ciphertext-only < ${GOAL.ciphertextHeldOutPct} % of held-out user tokens at ${GOAL.ciphertextTokens.toLocaleString("en-US")} observed tokens, weights attacker (and oracle) < ${GOAL.weightsVocabPct} % of the vocabulary, fidelity ≥ ${GOAL.fidelityPct} %, ΔT ≤ +5 %.`,
    "",
  );
  lines.push(
    "| model | scheme | fidelity % (Eq. 4) | argmax agreement % | ciphertext-only: held-out user tokens | weights attacker: vocabulary | model oracle: vocabulary | meets the goal |",
  );
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const p of paretoPoints(reports, fidelities)) {
    const f = fidelities.find((x) => x.model === p.model && x.scheme === p.scheme);
    const ok =
      f !== undefined &&
      f.fidelityPct >= GOAL.fidelityPct &&
      p.ciphertextHeldOutPct !== null &&
      p.ciphertextHeldOutPct < GOAL.ciphertextHeldOutPct &&
      (p.weightsVocabPct ?? 100) < GOAL.weightsVocabPct &&
      (p.oracleVocabPct ?? 100) < GOAL.weightsVocabPct;
    const untested =
      p.ciphertextHeldOutPct === null || p.weightsVocabPct === null || p.oracleVocabPct === null;
    lines.push(
      `| ${p.model} | ${p.scheme} | ${f ? f.fidelityPct.toFixed(4) : "–"} | ${f ? f.argmaxAgreementPct.toFixed(2) : "–"} | ${fmt(p.ciphertextHeldOutPct)} | ${fmt(p.weightsVocabPct)} | ${fmt(p.oracleVocabPct)} | ${ok ? "yes" : untested ? "no (an attack family not run counts as a failure)" : "no"} |`,
    );
  }
  lines.push("", "## Every attack", "", renderAttackMarkdown(reports));
  return `${lines.join("\n")}\n`;
}

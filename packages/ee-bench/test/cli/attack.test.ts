/**
 * `ee attack` on real folders, as a user runs it (child process on the built CLI): a tiny Llama built
 * from a safetensors checkpoint whose RMSNorm gains are NOT 1 (as every trained checkpoint's are),
 * encrypted by `ee encrypt`; the weights attacker reads the encrypted tables back out of the ONNX file.
 * Under `full` the encrypter folds the final-norm gain into the LM head before rotating it, so the
 * command must fold the public gain into the plain head too — without it the head invariants never
 * match and the command would report a false "secure".
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createRandom, writeSafetensors } from "ee-core";
import { llamaSyntheticWeights, llamaTiny, parseLlamaConfig, SCHEMES } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const EE = new URL("../../bin/ee.js", import.meta.url).pathname;

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

interface Row {
  attack: string;
  family: string;
  top1Pct: number;
  scoredIds: number;
}

let dir: string;
/**
 * Row-noise schemes and the best recovery of the model-oracle attacks, with the bounds stated for
 * this tiny Llama (keys seeded for reproducibility). Measured 2026-11-25 with CSPRNG keys: noise-2 100 % (oracle 91.6 %
 * + Procrustes), noise-10 20.7 %, noise-30 3.1 % of the 512 ids; with seed 5 noise-10 gave 3.3 %.
 */
const NOISY = [
  { scheme: "noise-2", min: 95, max: 100 },
  { scheme: "noise-10", min: 0, max: 60 },
  { scheme: "noise-30", min: 0, max: 15 },
] as const;
/**
 * Every registered exact scheme with one encrypted id per token (a new one joins the oracle test by
 * being registered). `homophonic` (V' > V encrypted ids) is left out: `ee attack` does not run the
 * oracle on it; its weights attacker merges the copies' bit-identical rows first (tested below).
 */
const EXACT = Object.values(SCHEMES)
  .filter((s) => s.exact && !s.homophonic)
  .map((s) => s.name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ee-attack-"));
  const cfg = parseLlamaConfig(llamaTiny.config, "llama-tiny");
  // gains 1 + 0.3·N(0, 1): far from 1, like a trained model's
  const weights = llamaSyntheticWeights(cfg, createRandom({ seed: 11 }), { gainStd: 0.3 });
  const gain = weights.get("model.norm.weight")?.data as Float32Array;
  expect(Math.max(...gain.map((g) => Math.abs(g - 1)))).toBeGreaterThan(0.1);
  mkdirSync(join(dir, "ckpt"));
  writeSafetensors(join(dir, "ckpt", "model.safetensors"), weights);
  const built = await ee("build", "llama-tiny", "--weights", "ckpt", "--out", "plain");
  expect(built.code, built.stderr).toBe(0);
  const bert = await ee("build", "bert-tiny", "--out", "bert", "--seed", "3");
  expect(bert.code, bert.stderr).toBe(0);
  for (const scheme of EXACT) {
    const enc = await ee("encrypt", "plain", "--out", scheme, "--key", `${scheme}.key`, "--scheme", scheme);
    expect(enc.code, enc.stderr).toBe(0);
    const encBert = await ee(
      "encrypt",
      "bert",
      "--out",
      `bert-${scheme}`,
      "--key",
      `bert-${scheme}.key`,
      "--scheme",
      scheme,
    );
    expect(encBert.code, encBert.stderr).toBe(0);
  }
  // a homophonic bert-tiny (default sizing from IMDB test reviews): its copies are identical rows
  const homophonic = await ee(
    "encrypt",
    "bert",
    "--out",
    "bert-homophonic",
    "--key",
    "bert-homophonic.key",
    "--scheme",
    "homophonic",
  );
  expect(homophonic.code, homophonic.stderr).toBe(0);
  for (const scheme of NOISY.map((n) => n.scheme)) {
    const enc = await ee(
      "encrypt",
      "plain",
      "--out",
      scheme,
      "--key",
      `${scheme}.key`,
      "--scheme",
      scheme,
      "--seed",
      "5",
    );
    expect(enc.code, enc.stderr).toBe(0);
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function attack(plain: string, enc: string, attacks: string, V: number): Promise<Row[]> {
  const out = await ee(
    "attack",
    "--model",
    plain,
    "--encrypted",
    enc,
    "--key",
    `${enc}.key`,
    "--attacks",
    attacks,
    "--out",
    `report-${enc}-${attacks}`,
  );
  expect(out.code, out.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(dir, `report-${enc}-${attacks}`, "attack.json"), "utf8")) as {
    rows: Row[];
    vocabSize: number;
  };
  expect(report.vocabSize).toBe(V);
  expect(report.rows.length).toBeGreaterThan(0);
  return report.rows;
}

const weightsAttack = async (scheme: string): Promise<Row[]> => {
  const rows = await attack("plain", scheme, "public-weights", 512);
  for (const r of rows) expect(r.family).toBe("public-weights");
  return rows;
};

const best = (rows: Row[]) => Math.max(...rows.map((r) => r.top1Pct));

describe("ee attack (weights attacker) on a Llama checkpoint with non-unit norm gains", () => {
  // full-kron: a Kronecker-structured residual basis is still a rotation; Procrustes fits it as a dense one
  it.each(["full", "full-kron"])(
    "recovers ≥ 99 %% of the vocabulary under %s",
    async (scheme) => {
      const rows = await weightsAttack(scheme);
      const procrustes = rows.find((r) => r.attack === "weights-procrustes");
      expect(procrustes?.scoredIds).toBe(512);
      expect(best(rows)).toBeGreaterThanOrEqual(99);
    },
    120_000,
  );

  it("recovers ≥ 99 % of the vocabulary under vocab", async () => {
    expect(best(await weightsAttack("vocab"))).toBeGreaterThanOrEqual(99);
  }, 120_000);

  it("rejects an unknown attack name with a one-line error naming the option", async () => {
    const out = await ee(
      "attack",
      "--model",
      "plain",
      "--encrypted",
      "full",
      "--key",
      "full.key",
      "--attacks",
      "nope",
    );
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/--attacks: unknown attack or threat model "nope"/);
  }, 60_000);
});

describe("ee attack: the logits oracle (the server queries the model it serves)", () => {
  it("lists at least vocab and full among the exact schemes", () => {
    expect(EXACT).toEqual(expect.arrayContaining(["vocab", "full"]));
  });

  it.each(EXACT)(
    "recovers ≥ 99 percent of a Llama vocabulary under %s",
    async (scheme) => {
      const rows = await attack("plain", scheme, "logits-oracle", 512);
      expect(rows).toHaveLength(1);
      expect(rows[0].scoredIds).toBe(512);
      expect(rows[0].top1Pct).toBeGreaterThanOrEqual(99);
    },
    120_000,
  );

  it.each(EXACT)(
    "recovers a BERT vocabulary from two class logits under %s",
    async (scheme) => {
      const rows = await attack("bert", `bert-${scheme}`, "logits-oracle", 30522);
      expect(rows[0].top1Pct).toBeGreaterThanOrEqual(99);
    },
    120_000,
  );
});

describe("ee attack: row-noise schemes against the model-oracle attacks", () => {
  it.each(NOISY)(
    "$scheme: best recovery within [$min, $max] percent",
    async ({ scheme, min, max }) => {
      const rows = await attack("plain", scheme, "model-oracle", 512);
      const top = best(rows);
      expect(top).toBeGreaterThanOrEqual(min);
      expect(top).toBeLessThanOrEqual(max);
    },
    120_000,
  );
});

/** Rows of the residual-stream matches, by layer. */
async function residualRows(scheme: string): Promise<Map<number, Row>> {
  const rows = await attack("plain", scheme, "hidden-state", 512);
  const byLayer = new Map<number, Row>();
  for (const r of rows) {
    const m = /^hidden-state-vocab-match-L(\d+)$/.exec(r.attack);
    if (m) byLayer.set(Number(m[1]), r);
  }
  return byLayer;
}

describe("ee attack: hidden-state vocabulary matching beyond layer 0 (the server's own model)", () => {
  it.each(["vocab", "full"])(
    "recovers ≥ 99 percent of the vocabulary from the residual stream after every layer under %s",
    async (scheme) => {
      const byLayer = await residualRows(scheme);
      // llama-tiny: the embedding output (layer 0) and both blocks; no layer 3
      expect([...byLayer.keys()].sort()).toEqual([0, 1, 2]);
      for (const [layer, r] of byLayer) {
        expect(r.scoredIds, `layer ${layer}`).toBe(512);
        expect(r.top1Pct, `layer ${layer}`).toBeGreaterThanOrEqual(99);
      }
    },
    120_000,
  );

  it("is stopped by row noise of 30 % (every layer ≤ 15 percent), not by 10 % (layer 0 ≥ 50 percent)", async () => {
    for (const r of (await residualRows("noise-30")).values())
      expect(r.top1Pct, r.attack).toBeLessThanOrEqual(15);
    const n10 = await residualRows("noise-10");
    expect(n10.get(0)?.top1Pct).toBeGreaterThanOrEqual(50);
  }, 120_000);
});

describe("ee attack: hidden-state matching on an encoder (the server runs [id] through both BERTs)", () => {
  it.each(EXACT)(
    "recovers ≥ 99 percent of the 30,522-token vocabulary after every layer under %s",
    async (scheme) => {
      const rows = await attack("bert", `bert-${scheme}`, "hidden-state", 30522);
      const layers = rows.filter((r) => r.attack.startsWith("hidden-state-vocab-match-L"));
      // bert-tiny: the embedding LayerNorm output (layer 0) and both layers
      expect(layers.map((r) => r.attack).sort()).toEqual(
        [0, 1, 2].map((l) => `hidden-state-vocab-match-L${l}`),
      );
      for (const r of layers) {
        expect(r.scoredIds, r.attack).toBe(30522);
        expect(r.top1Pct, r.attack).toBeGreaterThanOrEqual(99);
      }
    },
    120_000,
  );
});

describe("ee attack: the weights attacker on a homophonic folder", () => {
  it("merges the copies' bit-identical rows first, then recovers ≥ 99 percent of the vocabulary", async () => {
    const rows = await attack("bert", "bert-homophonic", "weights-exact-rows,weights-sorted-values", 30522);
    expect(rows.map((r) => r.attack).sort()).toEqual(["weights-exact-rows", "weights-sorted-values"]);
    const V2 = JSON.parse(readFileSync(join(dir, "bert-homophonic", "config.json"), "utf8")).vocab_size;
    expect(V2).toBeGreaterThan(30522);
    for (const r of rows) {
      expect(r.scoredIds).toBe(30522);
      expect((r as Row & { note: string }).note).toContain(
        `${V2} encrypted rows → 30522 groups of bit-identical rows`,
      );
    }
    // BERT's hidden basis is a permutation: sorted rows match; exact rows do not
    expect(rows.find((r) => r.attack === "weights-sorted-values")?.top1Pct).toBeGreaterThanOrEqual(99);
    expect(rows.find((r) => r.attack === "weights-exact-rows")?.top1Pct).toBeLessThan(1);
  }, 120_000);
});

describe("ee attack-report", () => {
  it("builds, encrypts and attacks a preset under two schemes, checks the goal and writes the Pareto chart", async () => {
    const out = await ee(
      "attack-report",
      "--presets",
      "llama-tiny",
      "--schemes",
      "full,vocab",
      "--attacks",
      "model-oracle",
      "--fidelity-samples",
      "8",
      "--out",
      "report",
    );
    expect(out.code, out.stderr).toBe(0);
    // the plain model answers the server's queries once for both schemes; each encrypted model once
    expect(out.stderr.match(/logits oracle: plain model, 512\/512 queries/g)).toHaveLength(1);
    expect(out.stderr.match(/logits oracle: encrypted model, 512\/512 queries/g)).toHaveLength(2);
    const md = readFileSync(join(dir, "report", "confidentiality.md"), "utf8");
    const row = md.split("\n").find((l) => l.startsWith("| llama-tiny | full |"));
    expect(row).toBeDefined();
    // an exact scheme: fidelity 100 % up to fp32 rounding, the oracle takes the vocabulary, goal not met
    const [, , , fid, agree] = (row as string).split("|").map((c) => c.trim());
    expect(Number(fid)).toBeGreaterThanOrEqual(99.999);
    expect(Number(agree)).toBe(100);
    expect(row).toMatch(/\| no/);
    const vl = JSON.parse(readFileSync(join(dir, "report", "pareto.vl.json"), "utf8")) as {
      data: { values: { bestRecoveryPct: number; fidelityLossPct: number }[] };
    };
    expect(vl.data.values).toHaveLength(2);
    for (const v of vl.data.values) {
      expect(v.bestRecoveryPct).toBeGreaterThanOrEqual(99);
      expect(v.fidelityLossPct).toBeLessThan(1e-3);
    }
  }, 180_000);
});

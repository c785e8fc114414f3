/**
 * Table 2 in the paper's columns (Model, runtime, bs, VI (s), EE (s), ΔT (%), Fid (%), ΔT Std (%)),
 * plus the 95 % interval of those per-repetition totals, the paired ΔT (the suite's headline
 * estimate) with its interval, median-based estimate, minimum detectable effect, adaptive stop and
 * A/A control beside it, argmax agreement, max |Δlogit|, the load, and the paper's numbers side by
 * side, as CSV (csv-stringify) and Markdown.
 */
import { stringify } from "csv-stringify/sync";
import { formatStop } from "../runner/adaptive.js";
import type { RowSummary, RunSummary } from "../types.js";
import { INDISTINGUISHABLE } from "./noise-floor.js";

/** Column headers, in order. */
export const TABLE_COLUMNS = [
  "Model",
  "runtime",
  "bs",
  "VI (s)",
  "EE (s)",
  "ΔT (%)",
  "Fid (%)",
  "ΔT Std (%)",
  "ΔT 95% CI (%)",
  "reps",
  "paired ΔT (%)",
  "paired 95% CI (%)",
  "± (%)",
  "median ΔT (%)",
  "MDE (%)",
  "stop",
  "A/A control 95% CI (%)",
  "resolution",
  "load before/after",
  "argmax agree (%)",
  "max |Δlogit|",
  "paper VI (s)",
  "paper EE (s)",
  "paper ΔT (%)",
  "paper ΔT from VI/EE (%)",
  "paper Fid (%)",
  "paper ΔT Std (%)",
] as const;

const fix = (x: number | undefined, d: number, sign = false) =>
  x === undefined || !Number.isFinite(x) ? "n/a" : `${sign && x > 0 ? "+" : ""}${x.toFixed(d)}`;
/** Seconds with 4 significant digits below 1 s, 3 decimals below 10 s, else 2. */
const sec = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "n/a" : x < 1 ? x.toPrecision(4) : x.toFixed(x < 10 ? 3 : 2);
const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : "n/a");

/** The paired-analysis cells of a row, in column order from "paired ΔT (%)" to "load before/after". */
function pairedCells(r: RowSummary): string[] {
  const p = r.paired;
  const ci = (x: [number, number]) => `[${fix(x[0], 2, true)}, ${fix(x[1], 2, true)}]`;
  const c = r.control;
  return [
    p ? fix(p.deltaTPct, 2, true) : "n/a",
    p ? ci(p.ci95Pct) : "n/a",
    p ? `±${p.halfWidthPct.toFixed(2)}` : "n/a",
    p ? fix(p.medianDeltaTPct, 2, true) : "n/a",
    p ? p.mdePct.toFixed(2) : "n/a",
    r.completeReps < r.plannedReps
      ? `incomplete: R=${r.completeReps} of ≥ ${r.plannedReps}`
      : r.stop
        ? formatStop(r.stop)
        : `fixed R=${r.plannedReps}`,
    c ? `${c.row} ${ci(c.ci95Pct)}` : "-",
    c ? (c.verdict === "indistinguishable" ? INDISTINGUISHABLE : "resolved") : "-",
    r.load ? `${r.load.before.toFixed(2)}/${r.load.after.toFixed(2)} (${r.load.cores} cores)` : "n/a",
  ];
}

/** One string cell per column per row. */
export function tableRows(summary: RunSummary): string[][] {
  return summary.rows.map((r) => {
    const p = r.paper;
    return [
      r.label,
      r.runtime,
      String(r.batchSize),
      sec(r.viSec),
      sec(r.eeSec),
      fix(r.deltaTPct, 2, true),
      fix(r.fidelityPct, 6),
      Number.isFinite(r.deltaTStdPct) ? `±${r.deltaTStdPct.toFixed(2)}` : "n/a",
      `[${fix(r.deltaTCi95Pct[0], 2, true)}, ${fix(r.deltaTCi95Pct[1], 2, true)}]`,
      String(r.completeReps),
      ...pairedCells(r),
      fix(r.argmaxAgreementPct, 2),
      sci(r.maxAbsLogitDiff),
      fix(p?.viSec, 2),
      fix(p?.eeSec, 2),
      fix(p?.deltaTPct, 2, true),
      p ? fix(((p.eeSec - p.viSec) / p.viSec) * 100, 2, true) : "n/a",
      p ? String(p.fidelityPct) : "n/a",
      p ? `±${p.deltaTStdPct.toFixed(2)}` : "n/a",
    ];
  });
}

/** `table.csv`. */
export function tableCsv(summary: RunSummary): string {
  return stringify(tableRows(summary), { header: true, columns: [...TABLE_COLUMNS] });
}

/** Notes printed under the Markdown table. */
export function tableNotes(summary: RunSummary): string[] {
  const notes = [
    "VI/EE: mean over complete repetitions of the total seconds over the sample set (EE includes the client's encrypt/decrypt); ΔT = (EE − VI)/VI × 100 from those means; ΔT Std: sd of per-repetition ΔT; 95 % CI: Student-t interval of the mean per-repetition ΔT (the paper-compatible columns).",
    "Paired ΔT: per call r = ln(EE/VI) of the interleaved (ABBA) pair; per repetition the mean of the VI-first and EE-first groups' means (pair order as a covariate); ΔT = e^mean − 1 with a Student-t 95 % interval over repetitions (df = R − 1). Median ΔT: the same with group medians. MDE: the smallest true ΔT a 5 % test detects with 80 % power at this resolution.",
    `Stop: fixed R, or for adaptive rows "target met at R=…" / "budget ended at ±…"; "incomplete" while the minimum repetitions are not all recorded (an interrupted run: --resume it). Resolution: "${INDISTINGUISHABLE}" when |paired ΔT| is within the reach max(|low|, |high|) of the row's A/A control interval.`,
    "Fid: paper Eq. 4 on the confidence of the predicted class (classifiers) or of the first generated token (LLMs).",
    "Paper ΔT from VI/EE: (EE − VI)/VI recomputed from the paper's own VI and EE columns; for the BERT rows its sign does not match the printed ΔT (docs/design.md §6).",
  ];
  for (const r of summary.rows) if (r.note) notes.push(`${r.label} (${r.row}): ${r.note}`);
  return notes;
}

/** Columns of the per-call latency section. */
export const LATENCY_COLUMNS = [
  "row",
  "target",
  "loop p50 (ms)",
  "loop p90 (ms)",
  "tinybench calls",
  "tinybench mean (ms)",
  "tinybench p50 (ms)",
  "tinybench p99 (ms)",
  "tinybench sd (ms)",
  "tinybench rme (%)",
] as const;

/** What the latency section measures. */
export const LATENCY_NOTE =
  "loop: every call of the interleaved ABBA loop (all samples, all repetitions); tinybench: one fixed input (the row's first call) repeated on one target, isolating per-call noise from input-length variation.";

/** One row per (suite row, target) of per-call latency statistics. */
export function latencyRows(summary: RunSummary): string[][] {
  return summary.rows.flatMap((r) =>
    (["vi", "ee"] as const).map((t) => {
      const m = r.microbench.find((x) => x.target === t);
      return [
        r.row,
        t.toUpperCase(),
        fix(t === "vi" ? r.viLatencyP50Ms : r.eeLatencyP50Ms, 3),
        fix(t === "vi" ? r.viLatencyP90Ms : r.eeLatencyP90Ms, 3),
        m ? String(m.iterations) : "n/a",
        fix(m?.meanMs, 3),
        fix(m?.p50Ms, 3),
        fix(m?.p99Ms, 3),
        fix(m?.sdMs, 3),
        fix(m?.rmePct, 2),
      ];
    }),
  );
}

/** Columns of the over-the-wire section. */
export const SERVING_COLUMNS = [
  "row",
  "target",
  "tokens/s",
  "TTFT p50 (ms)",
  "TTFT p99 (ms)",
  "TPOT p50 (ms)",
  "TPOT p99 (ms)",
] as const;

/** One row per (http suite row, target): throughput and streaming latencies. */
export function servingRows(summary: RunSummary): string[][] {
  return summary.rows.flatMap((r) =>
    r.serving
      ? (["vi", "ee"] as const).map((t) => {
          const s = r.serving![t];
          return [
            r.row,
            t.toUpperCase(),
            fix(s.throughputTokPerS, 1),
            fix(s.ttftP50Ms, 1),
            fix(s.ttftP99Ms, 1),
            fix(s.tpotP50Ms, 1),
            fix(s.tpotP99Ms, 1),
          ];
        })
      : [],
  );
}

/** The over-the-wire section of `table.md` (empty without http rows). */
function servingSection(summary: RunSummary): string[] {
  const rows = servingRows(summary);
  if (rows.length === 0) return [];
  return [
    "## Over the wire",
    "",
    `| ${SERVING_COLUMNS.join(" | ")} |`,
    `|${SERVING_COLUMNS.map(() => "---").join("|")}|`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    "",
    "- tokens/s: generated tokens over the side's total call time; TTFT: request start to the first streamed token; TPOT: (last − first token) / (n − 1), per request; EE includes the client's encrypt/decrypt.",
    "",
  ];
}

/** `table.md`. */
export function tableMarkdown(summary: RunSummary): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const head = `| ${TABLE_COLUMNS.map(esc).join(" | ")} |`;
  const rule = `|${TABLE_COLUMNS.map(() => "---").join("|")}|`;
  const body = tableRows(summary).map((cells) => `| ${cells.map(esc).join(" | ")} |`);
  const notes = tableNotes(summary).map((n) => `- ${n}`);
  const latHead = `| ${LATENCY_COLUMNS.join(" | ")} |`;
  const latRule = `|${LATENCY_COLUMNS.map(() => "---").join("|")}|`;
  const latBody = latencyRows(summary).map((cells) => `| ${cells.join(" | ")} |`);
  return [
    `# ${summary.suite} — run ${summary.runId}`,
    "",
    head,
    rule,
    ...body,
    "",
    ...notes,
    "",
    "## Per-call latency",
    "",
    latHead,
    latRule,
    ...latBody,
    "",
    `- ${LATENCY_NOTE}`,
    "",
    ...servingSection(summary),
  ].join("\n");
}

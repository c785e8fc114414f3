/**
 * The attack table as Markdown: one row per measured (attack, sweep point), grouped by report.
 */
import type { AttackReport, AttackRow } from "../types.js";

/** Columns of the table: header and how to print a row's cell. */
const COLUMNS: readonly { header: string; cell: (r: AttackRow) => string }[] = [
  { header: "model", cell: (r) => r.model },
  { header: "scheme", cell: (r) => r.scheme },
  { header: "threat model", cell: (r) => r.family },
  { header: "attack", cell: (r) => r.attack },
  { header: "text prior", cell: (r) => r.textPrior },
  {
    header: "observed tokens",
    cell: (r) => (r.observedTokens > 0 ? r.observedTokens.toLocaleString("en-US") : "–"),
  },
  { header: "scored ids", cell: (r) => r.scoredIds.toLocaleString("en-US") },
  { header: "top-1 % of scored ids", cell: (r) => fmtPct(r.top1Pct) },
  { header: "top-10 %", cell: (r) => fmtPct(r.top10Pct) },
  {
    header: "held-out user text: tokens % / types %",
    cell: (r) =>
      r.heldOut === null
        ? "–"
        : `${fmtPct(r.heldOut.user.occurrencePct)} / ${fmtPct(r.heldOut.user.typePct)}`,
  },
  {
    header: "user tokens % by band: top-100 / 100–1k / rest",
    cell: (r) =>
      r.heldOut === null ? "–" : r.heldOut.bands.map((b) => fmtPct(b.share.occurrencePct)).join(" / "),
  },
  {
    header: "template tokens %",
    cell: (r) =>
      r.heldOut === null || r.heldOut.template.tokens === 0 ? "–" : fmtPct(r.heldOut.template.occurrencePct),
  },
  { header: "chance top-1 %", cell: (r) => fmtPct(r.chanceTop1Pct) },
  { header: "wall ms", cell: (r) => Math.round(r.wallMs).toLocaleString("en-US") },
  { header: "note", cell: (r) => r.note.replaceAll("|", "\\|") },
];

/** Percentages with 2 decimals, or 4 significant digits below 0.01. */
function fmtPct(x: number): string {
  if (x === 0) return "0";
  return x < 0.01 ? x.toPrecision(2) : x.toFixed(2);
}

/** Render reports as one Markdown table, preceded by a line per report naming its corpora. */
export function renderAttackMarkdown(reports: AttackReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(
      `- **${r.model} / ${r.scheme}** (V = ${r.vocabSize.toLocaleString("en-US")}, seed ${r.seed}): prior (${r.priorKind}) = ${r.priorCorpus ?? "–"}; victim = ${r.victimCorpus ?? "–"}; held-out = ${r.heldOutCorpus ?? "–"}` +
        (r.skipped.length
          ? `; skipped: ${r.skipped.map((s) => `${s.attack} (${s.reason})`).join(", ")}`
          : ""),
    );
  }
  lines.push("");
  lines.push(
    "Scored ids: the distinct encrypted ids of the observed traffic (ciphertext attacks) or every row (weights, oracle); " +
      "held-out user text excludes the chat template / [CLS] [SEP] and special tokens (reported apart as template tokens); " +
      "bands rank plain tokens by frequency in the victim traffic; text prior: the attacker's text relative to the victim's.",
  );
  lines.push("");
  lines.push(`| ${COLUMNS.map((c) => c.header).join(" | ")} |`);
  lines.push(`|${COLUMNS.map(() => "---").join("|")}|`);
  for (const r of reports)
    for (const row of r.rows) lines.push(`| ${COLUMNS.map((c) => c.cell(row)).join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}

/** `index.html`: the table, notes, warnings and every chart (SVG) of a run on one page. */
import type { RunSummary } from "../types.js";
import { formatIssue } from "../warnings.js";
import { LATENCY_COLUMNS, LATENCY_NOTE, latencyRows, TABLE_COLUMNS, tableNotes, tableRows } from "./table.js";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The page; `charts` are file stems under `charts/` with an `.svg` and `.png` each. */
export function reportHtml(summary: RunSummary, charts: readonly string[]): string {
  const head = TABLE_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = tableRows(summary)
    .map((cells) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const latHead = LATENCY_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join("");
  const latBody = latencyRows(summary)
    .map((cells) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const list = (items: string[]) =>
    items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>` : "<p>none</p>";
  const issues = summary.datasetIssues.slice(0, 50).map(formatIssue);
  if (summary.datasetIssues.length > 50)
    issues.push(`… and ${summary.datasetIssues.length - 50} more (summary.json)`);
  const figs = charts
    .map(
      (c) =>
        `<figure><img src="charts/${esc(c)}.svg" alt="${esc(c)}"><figcaption><a href="charts/${esc(c)}.png">${esc(c)}.png</a> · <a href="charts/${esc(c)}.vl.json">spec</a></figcaption></figure>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(summary.suite)} — ${esc(summary.runId)}</title>
<style>body{font-family:"DejaVu Sans",sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}
figure{display:inline-block;margin:1em;vertical-align:top}img{max-width:100%}</style></head>
<body>
<h1>Table 2 — suite ${esc(summary.suite)}, run ${esc(summary.runId)}</h1>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<h2>Notes</h2>${list(tableNotes(summary))}
<h2>Per-call latency</h2>
<table><thead><tr>${latHead}</tr></thead><tbody>
${latBody}
</tbody></table>
<p>${esc(LATENCY_NOTE)}</p>
<h2>Warnings</h2>${list(summary.warnings)}
<h2>Dataset issues (${summary.datasetIssues.length})</h2>${list(issues)}
<h2>Charts</h2>
${figs}
<p>Files: <a href="summary.json">summary.json</a> · <a href="table.csv">table.csv</a> · <a href="table.md">table.md</a> ·
<a href="samples.jsonl">samples.jsonl</a> · <a href="config.json">config.json</a> · <a href="env.json">env.json</a></p>
</body></html>
`;
}

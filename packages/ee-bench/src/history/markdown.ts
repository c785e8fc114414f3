/** The Markdown summary of a history: groups, their runs, flagged steps, and unreadable folders. */
import { fingerprintDiff } from "./fingerprint.js";
import type { History, HistoryGroup } from "./types.js";

const sg = (x: number | undefined, d = 2) =>
  x === undefined || !Number.isFinite(x) ? "n/a" : `${x > 0 ? "+" : ""}${x.toFixed(d)}`;

function groupSection(g: HistoryGroup, ref: HistoryGroup | undefined): string[] {
  const f = g.fingerprint;
  const rows = [...new Set(g.runs.flatMap((r) => r.rows.map((p) => p.row)))];
  const lines = [
    `## ${g.id}`,
    "",
    `suite \`${g.suite}\`, config ${g.configHash.slice(0, 12)}, ${g.runs.length} run(s); ${f.cpuModel}, ${f.cores} cores, ${f.os}, Node ${f.node}, device ${f.device}, threads ${f.threads} (intra-op ${f.intraOpThreads}), pinned ${f.pinnedCpus}, memory ${f.hugePages}`,
  ];
  if (ref && ref !== g) {
    const diff = fingerprintDiff(ref.fingerprint, g.fingerprint);
    lines.push(
      `not compared with ${ref.id}: ${ref.configHash === g.configHash ? "" : "suite configuration differs; "}${diff.length > 0 ? `environment differs in ${diff.join(", ")}` : "same environment"}`,
    );
  }
  lines.push("", `| run | started | commit | ${rows.map((r) => `${r} ΔT (%) [95 % CI]`).join(" | ")} |`);
  lines.push(`|---|---|---|${rows.map(() => "---|").join("")}`);
  for (const run of g.runs) {
    const cells = rows.map((r) => {
      const p = run.rows.find((x) => x.row === r);
      if (p?.deltaTPct === undefined) return "n/a";
      const ci = p.ci95Pct ? ` [${sg(p.ci95Pct[0])}, ${sg(p.ci95Pct[1])}]` : "";
      const flag = g.steps.some((s) => s.row === r && s.firstRunId === run.runId) ? " **step**" : "";
      return `${sg(p.deltaTPct)}${ci}${flag}`;
    });
    lines.push(
      `| ${run.runId} | ${run.startedAt} | ${run.gitCommit.slice(0, 10)}${run.gitDirty ? " (dirty)" : ""} | ${cells.join(" | ")} |`,
    );
  }
  lines.push("");
  if (g.steps.length === 0) lines.push("No step beyond the rows' intervals and A/A noise floor.", "");
  for (const s of g.steps)
    lines.push(
      `- **${s.direction}** in \`${s.row}\` from run \`${s.firstRunId}\` (commit ${s.firstCommit.slice(0, 10)}): ΔT ${sg(s.meanBeforePct)} % → ${sg(s.meanAfterPct)} % (${sg(s.shiftPts)} pts over ${s.runsBefore} → ${s.runsAfter} runs; allowance ${s.thresholdPts.toFixed(2)} pts)`,
    );
  if (g.steps.length > 0) lines.push("");
  lines.push(`Charts: ${rows.map((r) => `\`${g.id}/${r}.vl.json\``).join(", ")}`, "");
  return lines;
}

/** `history.md`. */
export function historyMarkdown(h: History): string {
  const lines = [
    "# Benchmark history",
    "",
    `Reports folder: \`${h.reportsDir}\`. Runs are compared only inside a group (same suite configuration and environment fingerprint). A step is flagged when the shift of a row's mean paired ΔT exceeds max(within-run interval allowance, between-run scatter) + the A/A control's reach, and persists for ≥ 2 runs or is the last run.`,
    "",
  ];
  for (const g of h.groups)
    lines.push(
      ...groupSection(
        g,
        h.groups.find((o) => o.suite === g.suite),
      ),
    );
  if (h.unreadable.length > 0) {
    lines.push("## Not indexed", "");
    for (const u of h.unreadable) lines.push(`- \`${u.runDir}\`: ${u.reason}`);
    lines.push("");
  }
  return lines.join("\n");
}

/** `ee history <reports-dir> [--out DIR] [--fail-on-regression] [--json] [--no-render]`. */
import { writeHistory } from "../history/write-history.js";

/** Options of `ee history`. */
export interface HistoryCliOptions {
  /** Output folder (default `<reports-dir>/history`). */
  out?: string;
  /** Exit 1 when a flagged step is a slowdown (flag). */
  failOnRegression?: boolean;
  /** Print history.json to stdout instead of the summary (flag). */
  json?: boolean;
  /** commander's `--no-render`: false skips SVG/PNG (flag). */
  render?: boolean;
}

/** Writes the history; returns 1 with `--fail-on-regression` when some group has a slowdown step. */
export async function historyCommand(reportsDir: string, opts: HistoryCliOptions = {}): Promise<number> {
  const { history, outDir, warnings } = await writeHistory(reportsDir, {
    outDir: opts.out,
    render: opts.render !== false,
  });
  const steps = history.groups.flatMap((g) => g.steps.map((s) => ({ g, s })));
  if (opts.json) process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
  else {
    const runs = history.groups.reduce((n, g) => n + g.runs.length, 0);
    process.stdout.write(
      `ee history: ${runs} run(s) in ${history.groups.length} group(s), ${history.unreadable.length} folder(s) not indexed → ${outDir}\n`,
    );
    for (const { g, s } of steps)
      process.stdout.write(
        `${s.direction}: ${g.id} row ${s.row} from run ${s.firstRunId} (commit ${s.firstCommit.slice(0, 10)}): ${s.shiftPts > 0 ? "+" : ""}${s.shiftPts.toFixed(2)} pts (allowance ${s.thresholdPts.toFixed(2)})\n`,
      );
  }
  for (const u of history.unreadable)
    process.stderr.write(`ee history: not indexed: ${u.runDir}: ${u.reason}\n`);
  for (const w of warnings) process.stderr.write(`ee history: warning: ${w}\n`);
  const slow = steps.filter(({ s }) => s.direction === "slowdown");
  if (opts.failOnRegression && slow.length > 0) {
    process.stderr.write(`ee history: ${slow.length} slowdown step(s) flagged\n`);
    return 1;
  }
  return 0;
}

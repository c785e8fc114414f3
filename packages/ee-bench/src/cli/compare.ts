/** `ee compare <run-a> <run-b> [--fail-above pct] [--json]`: per-row Δ and the regression gate. */
import { compareRuns, formatCompare } from "../compare/compare.js";
import { resolveRunDir } from "./table.js";

/** Options of `ee compare`. */
export interface CompareCliOptions {
  /** Exit 1 when a row's ΔT rises by more than this (percentage points). */
  failAbove?: number;
  /** Print JSON instead of text (flag). */
  json?: boolean;
}

/**
 * Prints the comparison; returns 1 when `failAbove` is given and some row's paired ΔT rose by more
 * than it, or the candidate lacks rows or repetitions the baseline has; else 0.
 */
export async function compareCommand(
  runA: string,
  runB: string,
  opts: CompareCliOptions = {},
): Promise<number> {
  if (opts.failAbove !== undefined && !(Number.isFinite(opts.failAbove) && opts.failAbove >= 0)) {
    throw new Error(`--fail-above must be a number ≥ 0, got ${opts.failAbove}`);
  }
  const result = compareRuns(resolveRunDir(runA), resolveRunDir(runB), opts.failAbove);
  const json = JSON.stringify(
    result,
    (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? null : x),
    2,
  );
  process.stdout.write(opts.json ? `${json}\n` : formatCompare(result));
  if (result.rows.length === 0 && (opts.failAbove === undefined || result.missing.length === 0))
    throw new Error(`${runA} and ${runB} have no row in common`);
  if (opts.failAbove === undefined) return 0;
  const worse = result.rows.filter((r) => r.failed).map((r) => `${r.row} (+${r.changePts.toFixed(2)} pts)`);
  if (worse.length > 0)
    process.stderr.write(
      `ee compare: ΔT rose by more than ${opts.failAbove} points in ${worse.join(", ")}\n`,
    );
  for (const m of result.missing) process.stderr.write(`ee compare: candidate incomplete: ${m}\n`);
  return worse.length > 0 || result.missing.length > 0 ? 1 : 0;
}

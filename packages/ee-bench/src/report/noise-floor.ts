/**
 * The noise floor: each row beside its A/A control (a `control`-scheme row that names it in
 * `controls`, else one with the same model, task and batch size). A row whose |ΔT| is within the
 * control's interval reach, max(|low|, |high|), is "indistinguishable from 0 at this resolution".
 */
import type { ControlComparison, RowSummary, SuiteRow } from "../types.js";

/** The label the report prints for an indistinguishable row. */
export const INDISTINGUISHABLE = "indistinguishable from 0 at this resolution";

/** The control row of `row` among `rows`, if any. */
export function controlOf(row: SuiteRow, rows: readonly SuiteRow[]): SuiteRow | undefined {
  if (row.scheme === "control") return undefined;
  const controls = rows.filter((r) => r.scheme === "control");
  return (
    controls.find((c) => c.controls?.includes(row.id)) ??
    controls.find(
      (c) =>
        c.controls === undefined &&
        c.model === row.model &&
        c.task === row.task &&
        c.batchSize === row.batchSize,
    )
  );
}

/** Compares a row's paired ΔT with its control's interval. */
export function compareWithControl(row: RowSummary, control: RowSummary): ControlComparison | undefined {
  if (!row.paired || !control.paired) return undefined;
  const [low, high] = control.paired.ci95Pct;
  const reach = Math.max(Math.abs(low), Math.abs(high));
  return {
    row: control.row,
    deltaTPct: control.paired.deltaTPct,
    ci95Pct: [low, high],
    verdict: Math.abs(row.paired.deltaTPct) <= reach ? "indistinguishable" : "resolved",
  };
}

/** Sets `control` on every row that has one (in place). */
export function attachControls(summaries: RowSummary[], rows: readonly SuiteRow[]): void {
  for (const s of summaries) {
    const row = rows.find((r) => r.id === s.row);
    const c = row && controlOf(row, rows);
    const cs = c && summaries.find((x) => x.row === c.id);
    const cmp = cs && compareWithControl(s, cs);
    if (cmp) s.control = cmp;
  }
}

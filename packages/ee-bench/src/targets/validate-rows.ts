/**
 * Checks a suite's rows against what the real target factory can make — every model a preset,
 * every scheme registered, every task one the model's architecture has, the files of a row against
 * external servers there and fitting its preset — before a run folder is
 * created or a model built, so a typo fails in a second with the row named.
 */
import { getArchitecture, getPreset, SCHEMES } from "ee-models";
import type { RowTask, Suite } from "../types.js";
import { checkExternalRow } from "./external-servers.js";

/** Architecture task each row task needs. */
const TASK_OF: Record<RowTask, string> = { classify: "sequence-classification", generate: "causal-lm" };

/** Throws at the first row the model factory cannot serve; the message names the suite, row and field. */
export function validateModelRows(suite: Suite): void {
  for (const row of suite.rows) {
    const where = `suite ${suite.name}, row ${row.id}`;
    let arch: string;
    try {
      arch = getPreset(row.model).arch;
    } catch (e) {
      throw new Error(`${where}: field "model": ${(e as Error).message}`);
    }
    if (!Object.hasOwn(SCHEMES, row.scheme)) {
      throw new Error(
        `${where}: field "scheme": unknown encryption scheme "${row.scheme}" (known: ${Object.keys(SCHEMES).join(", ")})`,
      );
    }
    const has = getArchitecture(arch).task;
    if (has !== TASK_OF[row.task]) {
      throw new Error(
        `${where}: field "task" is "${row.task}", but ${row.model} is a ${has} model (${Object.entries(TASK_OF).find(([, t]) => t === has)?.[0] ?? "no task"} rows only)`,
      );
    }
    if (row.servers?.kind === "external") checkExternalRow(row, row.servers);
  }
}

/** `ee table <run-dir>`: regenerate summary, tables, charts and index.html from samples.jsonl. */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeReport } from "../report/write-report.js";

/** Options of `ee table`. */
export interface TableCliOptions {
  /** Skip SVG/PNG rendering (flag). */
  noRender?: boolean;
}

/** Resolves `reports/latest` (a symlink or a pointer file holding the run id) to the run folder. */
export function resolveRunDir(path: string): string {
  const p = resolve(path);
  if (!existsSync(p)) throw new Error(`run folder ${p} does not exist`);
  if (statSync(p).isFile()) {
    const id = readFileSync(p, "utf8").trim();
    return join(dirname(p), id);
  }
  return realpathSync(p);
}

/** Prints the regenerated table; returns the exit code (0). */
export async function tableCommand(runDir: string, opts: TableCliOptions = {}): Promise<number> {
  const dir = resolveRunDir(runDir);
  const summary = await writeReport(dir, { render: opts.noRender !== true });
  process.stdout.write(readFileSync(join(dir, "table.md"), "utf8"));
  for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stderr.write(`regenerated ${dir}/{summary.json,table.csv,table.md,charts/,index.html}\n`);
  return 0;
}

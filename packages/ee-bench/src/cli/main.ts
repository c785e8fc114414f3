#!/usr/bin/env node
/**
 * `ee` — the suite's command line. One subcommand per job; each delegates to a library function so
 * that everything the CLI does is also callable (and tested) from code.
 *
 *   ee build <preset> --out <dir>            plain model folder (synthetic weights or a checkpoint)
 *   ee encrypt <plain-dir> --out <enc-dir>   encrypted folder + key file (mode 0600)
 *   ee infer <dir> --text "…" [--key k]      plain or encrypted (client protocol) inference
 *   ee run [suite]                           VI vs EE benchmark → reports/<run-id>/
 *   ee table <run-dir>                       regenerate tables and charts from samples.jsonl
 *   ee compare <run-a> <run-b>               per-row Δ with a significance test; --fail-above gate
 *   ee attack --model … --encrypted … --key … measured threat analysis
 *   ee serve <dir> [--port N]                the untrusted OpenAI-compatible server (token ids only)
 */
import { buildProgram } from "./program.js";

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const debug = program.opts().debug || process.env.EE_DEBUG === "1";
    const message = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`ee: ${message}\n`);
    process.exitCode = 1;
  }
}

await main(process.argv);

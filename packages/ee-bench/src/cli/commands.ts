/**
 * The actions behind `ee`'s subcommands: a registry table from command name to handler. Each handler
 * parses nothing itself (commander did) and delegates to a library function.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { writeFolderSafe } from "ee-core";
import { buildModel, encryptModelFolder } from "ee-models";
import { attackCommand } from "./attack.js";
import { attackReportCommand } from "./attack-report.js";
import { compareCommand } from "./compare.js";
import { enginesCommand } from "./engines.js";
import { exportCommand } from "./export.js";
import { acquirePresetData, fetchCommand, resolveWeightsArg } from "./fetch.js";
import { historyCommand } from "./history.js";
import { inferCommand } from "./infer.js";
import { type RunCliOptions, runCommand } from "./run.js";
import { serveCommand } from "./serve.js";
import { tableCommand } from "./table.js";

/** Options of `ee build`. */
interface BuildCliOptions {
  out: string;
  weights?: string;
  seed?: number;
  fused?: boolean;
  format: "onnx" | "hf";
  weightDtype: "float32" | "float16";
  overwrite?: boolean;
}

/** Options of `ee encrypt`. */
interface EncryptCliOptions {
  out: string;
  key: string;
  scheme: string;
  seed?: number;
  format: "onnx" | "hf";
  overwrite?: boolean;
  /** Scheme homophonic: corpus file of the token counts. */
  homophonesFrom?: string;
  /** Scheme homophonic: extra encrypted ids (ids). */
  homophoneExtra?: number;
}

/** A line on stderr, rewritten in place on a terminal. */
function progressLine(label: string): (done: number, total: number) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  return (done, total) => {
    const pct = Math.floor((100 * done) / Math.max(total, 1));
    if (pct === lastPct) return;
    lastPct = pct;
    if (tty) process.stderr.write(`\r${label} ${pct}% (${done}/${total})${done === total ? "\n" : ""}`);
    else if (pct % 25 === 0) process.stderr.write(`${label} ${pct}% (${done}/${total})\n`);
  };
}

async function build(preset: string, opts: BuildCliOptions): Promise<void> {
  const isConfig = preset.endsWith(".json");
  const isFolder = !isConfig && existsSync(preset) && statSync(preset).isDirectory();
  if (isFolder && opts.weights !== undefined)
    throw new Error(`ee build: ${preset} is a checkpoint folder already; drop --weights`);
  const out = resolve(opts.out);
  const weightsDir = isFolder ? preset : await resolveWeightsArg(opts.weights); // hf:REPO[@REV] → its snapshot folder
  const dataDir = isConfig || isFolder ? undefined : await acquirePresetData(preset); // its tokenizer files
  // Built under a temporary name and renamed when complete; an existing folder is replaced only with
  // --overwrite, and only when it is a model folder.
  const built = await writeFolderSafe(
    out,
    (tmp) =>
      buildModel({
        ...(isFolder ? {} : isConfig ? { configPath: preset } : { preset }),
        outDir: tmp,
        weightsDir,
        dataDir,
        seed: opts.seed,
        fused: opts.fused,
        format: opts.format,
        weightDtype: opts.weightDtype,
      }),
    {
      overwrite: opts.overwrite,
      what: "model folder",
      check: (d) =>
        existsSync(join(d, "config.json")) ? undefined : "it is not a model folder (no config.json)",
    },
  );
  process.stdout.write(
    `built ${out} (${built.cfg.modelType}, ${built.format} format${built.encrypted ? ", encrypted" : ""}, weights: ${built.weightsSource}) in ${(built.buildMs / 1000).toFixed(1)} s\n`,
  );
}

async function encrypt(plainDir: string, opts: EncryptCliOptions): Promise<void> {
  const enc = await encryptModelFolder(plainDir, opts.out, {
    keyPath: opts.key,
    scheme: opts.scheme,
    seed: opts.seed,
    format: opts.format,
    overwrite: opts.overwrite,
    homophonesFrom: opts.homophonesFrom,
    homophoneExtraIds: opts.homophoneExtra,
    onProgress: progressLine(`encrypting ${basename(plainDir)} (${opts.scheme}, ${opts.format} format)`),
  });
  process.stdout.write(
    `encrypted ${enc.dir} (scheme ${enc.manifest.scheme}, key fingerprint ${enc.manifest.keyFingerprint.slice(0, 16)}…)\n` +
      `key written to ${enc.keyPath} (mode 0600) — keep it on the client\n` +
      `weights ${enc.encryptSeconds.toFixed(1)} s${enc.format === "onnx" ? `, graph ${enc.buildSeconds.toFixed(1)} s` : ""}\n`,
  );
}

/** Adapt a handler that returns an exit code to commander (which ignores return values). */
function withExitCode<A extends unknown[]>(
  fn: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args) => {
    const code = await fn(...args);
    if (code !== 0) process.exitCode = code;
  };
}

/** Command name → handler, as registered in program.ts. */
export const commandTable = {
  build,
  encrypt,
  infer: inferCommand,
  // commander turns `--no-render` into `render: false`
  run: withExitCode((suite: string, o: RunCliOptions & { render?: boolean }) =>
    runCommand(suite, { ...o, noRender: o.render === false }),
  ),
  table: withExitCode((runDir: string, o: { render?: boolean }) =>
    tableCommand(runDir, { noRender: o.render === false }),
  ),
  compare: withExitCode(compareCommand),
  attack: attackCommand,
  attackReport: attackReportCommand,
  serve: serveCommand,
  export: exportCommand,
  engines: enginesCommand,
  fetch: withExitCode(fetchCommand),
  history: withExitCode(historyCommand),
};

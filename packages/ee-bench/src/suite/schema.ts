/**
 * Suite files (`benchmarks/<name>.json`) validated field by field. Every error names the file and
 * the JSON pointer of the bad field (`/rows/2/repetitions`) and says what is expected. Unknown keys
 * are errors too, so a typo cannot silently fall back to a default.
 */
import { dirname, resolve } from "node:path";
import { DEFAULT_ENGINE, type EngineOptions, engineNames, LAUNCHERS, type Launcher } from "ee-models";
import type {
  DatasetSelection,
  ExternalServers,
  PaperReference,
  RowServers,
  RowTask,
  Suite,
  SuiteRow,
} from "../types.js";

/** Row fields a suite's `defaults` may set. */
const DEFAULTABLE = [
  "scheme",
  "passes",
  "batchSize",
  "maxLength",
  "maxNewTokens",
  "repetitions",
  "warmup",
  "seed",
  "targetHalfWidthPct",
  "budgetSec",
  "engine",
  "engineOptions",
  "launcher",
] as const;

/** Built-in defaults, below the suite's `defaults`. */
const BUILTIN_DEFAULTS = {
  scheme: "full",
  passes: 1,
  batchSize: 1,
  maxLength: 128,
  repetitions: 3,
  warmup: 2,
  seed: 1,
  engine: DEFAULT_ENGINE,
  launcher: "in-process",
};

/** Tasks a row may have. */
const TASKS: readonly RowTask[] = ["classify", "generate"];

type Obj = Record<string, unknown>;

class SchemaError extends Error {}

/** Validation helpers bound to one file. */
class Checker {
  constructor(private readonly file: string) {}
  fail(pointer: string, what: string): never {
    throw new SchemaError(`${this.where(pointer)}: ${what}`);
  }
  obj(v: unknown, p: string, allowed: readonly string[]): Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(p, "must be an object");
    for (const k of Object.keys(v as Obj)) {
      if (!allowed.includes(k)) this.fail(`${p}/${k}`, `unknown field (allowed: ${allowed.join(", ")})`);
    }
    return v as Obj;
  }
  str(v: unknown, p: string, opts: { optional?: boolean; pattern?: RegExp } = {}): string | undefined {
    if (v === undefined && opts.optional) return undefined;
    if (typeof v !== "string" || v.length === 0) this.fail(p, "must be a non-empty string");
    if (opts.pattern && !opts.pattern.test(v as string)) this.fail(p, `"${v}" must match ${opts.pattern}`);
    return v as string;
  }
  int(v: unknown, p: string, min: number, optional = false): number | undefined {
    if (v === undefined && optional) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) this.fail(p, `must be an integer ≥ ${min}`);
    return v as number;
  }
  positive(v: unknown, p: string): number {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) this.fail(p, "must be a number > 0");
    return v as number;
  }
  /** A non-empty path, resolved against the suite file's folder. */
  path(v: unknown, p: string): string {
    return resolve(dirname(this.file), this.str(v, p)!);
  }
  /** `<file>: <pointer>`, as errors print it. */
  where(pointer: string): string {
    return `${this.file}: ${pointer || "/"}`;
  }
  num(v: unknown, p: string): number {
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(p, "must be a finite number");
    return v as number;
  }
}

function parseDataset(c: Checker, v: unknown, p: string): DatasetSelection {
  const o = c.obj(v, p, ["name", "count", "turn", "minPromptTokens", "maxPromptTokens", "path", "format"]);
  const sel: DatasetSelection = { name: c.str(o.name, `${p}/name`)! };
  const count = c.int(o.count, `${p}/count`, 1, true);
  if (count !== undefined) sel.count = count;
  if (o.turn !== undefined) {
    if (o.turn !== 1 && o.turn !== 2) c.fail(`${p}/turn`, "must be 1 or 2");
    sel.turn = o.turn;
  }
  const minT = c.int(o.minPromptTokens, `${p}/minPromptTokens`, 0, true);
  if (minT !== undefined) sel.minPromptTokens = minT;
  const maxT = c.int(o.maxPromptTokens, `${p}/maxPromptTokens`, 1, true);
  if (maxT !== undefined) sel.maxPromptTokens = maxT;
  const path = c.str(o.path, `${p}/path`, { optional: true });
  if (path !== undefined) sel.path = path;
  const format = c.str(o.format, `${p}/format`, { optional: true });
  if (format !== undefined) sel.format = format;
  return sel;
}

function parsePaper(c: Checker, v: unknown, p: string): PaperReference {
  const keys = ["model", "vllm", "bs", "viSec", "eeSec", "deltaTPct", "fidelityPct", "deltaTStdPct"] as const;
  const o = c.obj(v, p, keys);
  return {
    model: c.str(o.model, `${p}/model`)!,
    vllm: c.str(o.vllm, `${p}/vllm`)!,
    bs: c.int(o.bs, `${p}/bs`, 1)!,
    viSec: c.num(o.viSec, `${p}/viSec`),
    eeSec: c.num(o.eeSec, `${p}/eeSec`),
    deltaTPct: c.num(o.deltaTPct, `${p}/deltaTPct`),
    fidelityPct: c.num(o.fidelityPct, `${p}/fidelityPct`),
    deltaTStdPct: c.num(o.deltaTStdPct, `${p}/deltaTStdPct`),
  };
}

const ROW_KEYS = [
  "id",
  "label",
  "model",
  "task",
  "datasets",
  "runtime",
  "note",
  "paper",
  "servers",
  "controls",
  "rekeyCopies",
  ...DEFAULTABLE,
] as const;

/** `servers`: `{"serve": {…}}` (the suite starts `ee serve`) or `{"external": {…}}` (servers already running). */
function parseServers(c: Checker, v: unknown, p: string): RowServers {
  const o = c.obj(v, p, ["serve", "external"]);
  if ((o.serve === undefined) === (o.external === undefined))
    c.fail(
      p,
      'must be {"serve": {"maxConcurrency": N}} or {"external": {"vi", "ee", "encryptedFolder", "key"}}',
    );
  if (o.external !== undefined) return parseExternal(c, o.external, `${p}/external`);
  const s = c.obj(o.serve, `${p}/serve`, ["maxConcurrency"]);
  return { kind: "serve", maxConcurrency: c.int(s.maxConcurrency ?? 8, `${p}/serve/maxConcurrency`, 1)! };
}

/** An http(s) base URL. */
const URL_PATTERN = /^https?:\/\/[^/\s]+(\/\S*)?$/;

/** `external`: the two servers' URLs and the client's encrypted folder and key (paths relative to the suite file). */
function parseExternal(c: Checker, v: unknown, p: string): ExternalServers {
  const o = c.obj(v, p, ["vi", "ee", "encryptedFolder", "key"]);
  const vi = c.str(o.vi, `${p}/vi`, { pattern: URL_PATTERN })!;
  const ee = c.str(o.ee, `${p}/ee`, { pattern: URL_PATTERN })!;
  if (vi.replace(/\/+$/, "") === ee.replace(/\/+$/, ""))
    c.fail(`${p}/ee`, "must differ from vi (VI and EE are two servers: plain and encrypted)");
  return {
    kind: "external",
    vi,
    ee,
    encryptedFolder: c.path(o.encryptedFolder, `${p}/encryptedFolder`),
    key: c.path(o.key, `${p}/key`),
    at: c.where(p),
  };
}

/** A registered engine's name. */
function parseEngine(c: Checker, v: unknown, p: string): string {
  const name = c.str(v, p)!;
  if (!engineNames().includes(name))
    c.fail(p, `unknown engine "${name}" (known: ${engineNames().join(", ")})`);
  return name;
}

/** `in-process` or `child-process`. */
function parseLauncher(c: Checker, v: unknown, p: string): Launcher {
  const l = c.str(v, p)! as Launcher;
  if (!LAUNCHERS.includes(l)) c.fail(p, `must be one of ${LAUNCHERS.join(", ")}`);
  return l;
}

/** Engine options: `threads`, `allowSpinning`, and engine-specific `extra` scalars. */
function parseEngineOptions(c: Checker, v: unknown, p: string): EngineOptions {
  const o = c.obj(v, p, ["threads", "allowSpinning", "extra"]);
  const out: EngineOptions = {};
  const threads = c.int(o.threads, `${p}/threads`, 1, true);
  if (threads !== undefined) out.threads = threads;
  if (o.allowSpinning !== undefined) {
    if (typeof o.allowSpinning !== "boolean") c.fail(`${p}/allowSpinning`, "must be true or false");
    out.allowSpinning = o.allowSpinning as boolean;
  }
  if (o.extra !== undefined) {
    const keys = typeof o.extra === "object" && o.extra !== null ? Object.keys(o.extra) : [];
    const extra = c.obj(o.extra, `${p}/extra`, keys);
    for (const [k, x] of Object.entries(extra)) {
      if (!["string", "number", "boolean"].includes(typeof x))
        c.fail(`${p}/extra/${k}`, "must be a string, number or boolean");
    }
    out.extra = extra as Record<string, string | number | boolean>;
  }
  return out;
}

function parseRow(c: Checker, v: unknown, p: string, defaults: Obj): SuiteRow {
  const o = c.obj(v, p, ROW_KEYS);
  const merged: Obj = { ...BUILTIN_DEFAULTS, ...defaults, ...o };
  const task = c.str(o.task, `${p}/task`)! as RowTask;
  if (!TASKS.includes(task)) c.fail(`${p}/task`, `must be one of ${TASKS.join(", ")}`);
  // Where a merged value came from, so an error points at the field the user wrote.
  const at = (k: string) => (k in o ? `${p}/${k}` : `/defaults/${k}`);
  if (!Array.isArray(o.datasets) || o.datasets.length === 0)
    c.fail(`${p}/datasets`, "must be a non-empty array");
  const datasets = (o.datasets as unknown[]).map((d, i) => parseDataset(c, d, `${p}/datasets/${i}`));
  const batchSize = c.int(merged.batchSize, at("batchSize"), 1)!;
  const maxNewTokens =
    task === "generate"
      ? c.int(merged.maxNewTokens ?? 16, at("maxNewTokens"), 1)!
      : c.int(merged.maxNewTokens ?? 0, at("maxNewTokens"), 0)!;
  if (task === "classify" && maxNewTokens !== 0)
    c.fail(at("maxNewTokens"), "must be 0 (or absent) for a classify row");
  const row: SuiteRow = {
    id: c.str(o.id, `${p}/id`, { pattern: /^[a-z0-9][a-z0-9._-]*$/ })!,
    label: c.str(o.label, `${p}/label`)!,
    model: c.str(o.model, `${p}/model`)!,
    task,
    scheme: c.str(merged.scheme, at("scheme"))!,
    datasets,
    passes: c.int(merged.passes, at("passes"), 1)!,
    batchSize,
    maxLength: c.int(merged.maxLength, at("maxLength"), 2)!,
    maxNewTokens,
    repetitions: c.int(merged.repetitions, at("repetitions"), 3)!,
    warmup: c.int(merged.warmup, at("warmup"), 0)!,
    seed: c.int(merged.seed, at("seed"), 0)!,
    engine: parseEngine(c, merged.engine, at("engine")),
    launcher: parseLauncher(c, merged.launcher, at("launcher")),
  };
  parseAdaptive(c, merged, at, row);
  if (o.controls !== undefined) {
    if (row.scheme !== "control")
      c.fail(`${p}/controls`, 'only an A/A control row (scheme "control") controls rows');
    if (!Array.isArray(o.controls) || o.controls.length === 0)
      c.fail(`${p}/controls`, "must be a non-empty array of row ids");
    row.controls = (o.controls as unknown[]).map((x, i) => c.str(x, `${p}/controls/${i}`)!);
  }
  if (o.rekeyCopies !== undefined) {
    row.rekeyCopies = c.int(o.rekeyCopies, `${p}/rekeyCopies`, 2)!;
    if (o.servers !== undefined)
      c.fail(`${p}/rekeyCopies`, "re-keying rows open their copies in this process; not with servers");
  }
  if (merged.engineOptions !== undefined)
    row.engineOptions = parseEngineOptions(c, merged.engineOptions, at("engineOptions"));
  const runtime = c.str(o.runtime, `${p}/runtime`, { optional: true });
  if (runtime !== undefined) row.runtime = runtime;
  const note = c.str(o.note, `${p}/note`, { optional: true });
  if (note !== undefined) row.note = note;
  if (o.paper !== undefined) row.paper = parsePaper(c, o.paper, `${p}/paper`);
  if (o.servers !== undefined) row.servers = parseServers(c, o.servers, `${p}/servers`);
  if (row.engine === "http" && row.servers === undefined)
    c.fail(`${p}/servers`, 'an http row needs servers: {"serve": {…}} or {"external": {…}}');
  if (row.servers !== undefined && row.engine !== "http") c.fail(`${p}/servers`, 'only for engine "http"');
  if (row.servers?.kind === "external" && row.task !== "generate")
    c.fail(`${p}/servers/external`, "external servers serve generate rows only (completions API)");
  return row;
}

/** `targetHalfWidthPct` and `budgetSec`: both or neither. */
function parseAdaptive(c: Checker, merged: Obj, at: (k: string) => string, row: SuiteRow): void {
  if (merged.targetHalfWidthPct === undefined && merged.budgetSec === undefined) return;
  if (merged.targetHalfWidthPct === undefined || merged.budgetSec === undefined) {
    const absent = merged.budgetSec === undefined ? "budgetSec" : "targetHalfWidthPct";
    c.fail(
      at(absent === "budgetSec" ? "targetHalfWidthPct" : "budgetSec"),
      `adaptive repetitions need ${absent} too`,
    );
  }
  row.targetHalfWidthPct = c.positive(merged.targetHalfWidthPct, at("targetHalfWidthPct"));
  row.budgetSec = c.positive(merged.budgetSec, at("budgetSec"));
}

/** Validates a parsed suite JSON; `file` names it in errors. */
export function parseSuite(json: unknown, file: string): Suite {
  const c = new Checker(file);
  const o = c.obj(json, "", ["$schema", "name", "description", "microbenchIterations", "defaults", "rows"]);
  const defaults = o.defaults === undefined ? {} : c.obj(o.defaults, "/defaults", DEFAULTABLE);
  if (!Array.isArray(o.rows) || o.rows.length === 0) c.fail("/rows", "must be a non-empty array");
  const rows = (o.rows as unknown[]).map((r, i) => parseRow(c, r, `/rows/${i}`, defaults));
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (seen.has(r.id)) c.fail(`/rows/${i}/id`, `duplicate row id "${r.id}"`);
    seen.add(r.id);
  });
  rows.forEach((r, i) => {
    for (const [k, id] of (r.controls ?? []).entries())
      if (!seen.has(id)) c.fail(`/rows/${i}/controls/${k}`, `no row with id "${id}" in this suite`);
  });
  return {
    name: c.str(o.name, "/name", { pattern: /^[a-z0-9][a-z0-9._-]*$/ })!,
    description: c.str(o.description, "/description")!,
    microbenchIterations: c.int(o.microbenchIterations ?? 0, "/microbenchIterations", 0)!,
    rows,
  };
}

/**
 * The VI and EE engines of an `http` row whose servers the suite starts: `ee serve` (a child process
 * on loopback, port chosen by the OS) for a tokenizer-free view of the plain folder and for the
 * encrypted folder; the http engine drives each, the EE side behind the client, so EE time includes
 * the client's work and the wire both ways. Closing an engine stops its server (SIGTERM, graceful).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { EEClient, EncryptedEngine, type Engine, getEngine } from "ee-models";
import { TOKENIZER_FILES } from "ee-serve";
import type { SuiteRow, TargetFactoryContext } from "../types.js";
import { type RowEngines, rowEngineOptions } from "./engines.js";
import type { CachedModels } from "./model-cache.js";

/** The `ee` command this package ships. */
const EE_BIN = new URL("../../bin/ee.js", import.meta.url).pathname;

/** Longest wait for a server to listen (ms): it loads the model first. */
const START_TIMEOUT_MS = 300_000;

/** A folder beside `plainDir` that links everything in it except the tokenizer (the server holds none). */
function tokenizerFreeView(plainDir: string): string {
  const view = `${plainDir}.served`;
  if (!existsSync(view)) {
    mkdirSync(view);
    for (const name of readdirSync(plainDir))
      if (!TOKENIZER_FILES.includes(name)) symlinkSync(join(plainDir, name), join(view, name));
  }
  return view;
}

/** A running `ee serve` child. */
interface Server {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function startServer(
  folder: string,
  row: SuiteRow,
  ctx: TargetFactoryContext,
  maxConcurrency: number,
): Promise<Server> {
  const args = [EE_BIN, "serve", folder, "--port", "0", "--max-concurrency", String(maxConcurrency)];
  args.push("--device", ctx.device === "cuda" ? "cuda" : "cpu");
  const threads = row.engineOptions?.threads ?? ctx.threads;
  if (threads !== undefined) args.push("--threads", String(threads));
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`ee serve ${folder}: not listening after ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], stop });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`ee serve ${folder} exited (code ${code}) before listening: ${err.trim() || out.trim()}`),
      );
    });
  });
}

/** `engine`, whose `close` also stops `server`. */
function stopsServer<E extends Engine>(engine: E, server: Server): E {
  const close = engine.close.bind(engine);
  engine.close = async () => {
    try {
      await close();
    } finally {
      await server.stop();
    }
  };
  return engine;
}

/** Start both servers and open the row's http engines on them. */
export async function openServedEngines(
  row: SuiteRow,
  m: CachedModels,
  ctx: TargetFactoryContext,
): Promise<RowEngines> {
  const maxConcurrency = row.servers?.kind === "serve" ? row.servers.maxConcurrency : 8;
  const opts = rowEngineOptions(row, ctx);
  const httpOpts = (url: string) => ({ extra: { ...opts.extra, endpoint: url } });
  const viServer = await startServer(tokenizerFreeView(m.plainDir), row, ctx, maxConcurrency);
  let eeServer: Server | undefined;
  try {
    eeServer = await startServer(m.encDir, row, ctx, maxConcurrency);
    ctx.log(`ee serve: plain on ${viServer.url}, encrypted on ${eeServer.url}`);
    const vi = stopsServer(await getEngine("http").open(m.plainDir, httpOpts(viServer.url)), viServer);
    const inner = stopsServer(await getEngine("http").open(m.encDir, httpOpts(eeServer.url)), eeServer);
    const ee = new EncryptedEngine(EEClient.open(m.encDir, m.keyPath), inner);
    const concurrency = opts.extra?.concurrency ?? 1;
    return {
      vi,
      ee,
      runtime:
        row.runtime ?? `ee serve over HTTP (${concurrency} concurrent, server batches ≤ ${maxConcurrency})`,
      info: {
        engine: { ...vi.info },
        engineOptions: opts,
        servers: { vi: viServer.url, ee: eeServer.url, maxConcurrency, launcher: "ee serve child process" },
      },
    };
  } catch (e) {
    await viServer.stop();
    await eeServer?.stop();
    throw e;
  }
}

/**
 * `ee serve <model-folder>`: the untrusted server (ee-serve) on a plain or encrypted folder. It
 * refuses a folder holding a key or a tokenizer, listens on loopback by default, and shuts down
 * gracefully on SIGTERM / SIGINT (queued requests finish, new ones get 503).
 */
import { serveFolder } from "ee-serve";

/** Options of `ee serve` (as commander parses them). */
export interface ServeCliOptions {
  /** Engine registry name. */
  engine: string;
  /** Interface to listen on. */
  host: string;
  /** TCP port (0 = any free one). */
  port: number;
  /** Most prompts per engine call (prompts). */
  maxConcurrency: number;
  /** Most prompts waiting before 429 (prompts). */
  maxQueue: number;
  /** Append the server's view of each request here (JSONL path). */
  logRequests?: string;
  /** Engine threads inside one op (threads). */
  threads?: number;
  /** Execution provider. */
  device: "cpu" | "cuda";
  /** Let idle engine worker threads spin-wait (flag); default off. */
  allowSpinning?: boolean;
}

/** Serve until SIGTERM or SIGINT; resolves once shut down. */
export async function serveCommand(folder: string, o: ServeCliOptions): Promise<void> {
  const server = await serveFolder(folder, {
    engine: o.engine,
    host: o.host,
    port: o.port,
    maxConcurrency: o.maxConcurrency,
    maxQueue: o.maxQueue,
    logRequests: o.logRequests,
    // spinning off by default: a plain and an encrypted server sharing cores would steal them from each other
    engineOptions: { device: o.device, threads: o.threads, allowSpinning: o.allowSpinning ?? false },
  });
  const m = server.model;
  process.stdout.write(
    `ee serve: ${m.id} (${m.task}, ${m.ee ? `encrypted, scheme ${m.ee.scheme}` : "plain"}, engine ${o.engine}) listening on ${server.url}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`ee serve: ${signal}: finishing queued requests, then stopping\n`);
      server.close().then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.stdout.write("ee serve: stopped\n");
}

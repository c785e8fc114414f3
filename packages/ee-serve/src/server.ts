/**
 * `EEServer`: the untrusted server. It holds one model folder (plain or encrypted — it cannot tell
 * and does not care) opened with one engine, and answers OpenAI-compatible requests over HTTP:
 *   GET  /health            200 while serving, 503 while shutting down
 *   GET  /v1/models         the one model: id, max_model_len, and `ee` (the public part of ee.json)
 *   POST /v1/completions    token-id prompts → token ids (JSON or SSE), vLLM's shape
 *   POST /classify          token-id inputs → class logits and probabilities (also /v1/classify)
 * `close()` shuts down gracefully: new requests get 503, queued and running ones finish.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_ENGINE, type Engine, type EngineOptions, getEngine } from "ee-models";
import { answerClassify, parseClassifyRequest } from "./classify.js";
import { parseCompletionRequest } from "./completion-request.js";
import { answerCompletion } from "./completions.js";
import { ApiError, errorBody } from "./errors.js";
import { checkServableFolder } from "./folder-guard.js";
import { readJsonBody, sendJson } from "./http-io.js";
import { RequestLog, type RequestLogEntry } from "./request-log.js";
import { Scheduler } from "./scheduler.js";
import { describeServedModel, type ServedModel } from "./served-model.js";

/** How the server listens and what it accepts. */
export interface ServeOptions {
  /** Interface to listen on; default `"127.0.0.1"` (loopback only). */
  host?: string;
  /** TCP port; default 8000; 0 = any free port (see `EEServer.port`). */
  port?: number;
  /** Most prompts in one engine call (prompts); default 8. */
  maxConcurrency?: number;
  /** Most prompts waiting for the engine (prompts); beyond it, 429; default 1024. */
  maxQueue?: number;
  /** Largest request body (bytes); default 16 MiB. */
  maxBodyBytes?: number;
  /** Append one JSON line per request here (the server's view: ids, lengths, timings). */
  logRequests?: string;
  /** Model id on the wire; default the folder's name. */
  modelId?: string;
}

/** Options of `serveFolder`: where to listen, and which engine opens the folder. */
export interface ServeFolderOptions extends ServeOptions {
  /** Engine registry name; default `DEFAULT_ENGINE` (ORT). */
  engine?: string;
  /** Options for the engine's `open`. */
  engineOptions?: EngineOptions;
}

const DEFAULTS = { host: "127.0.0.1", port: 8000, maxConcurrency: 8, maxQueue: 1024, maxBodyBytes: 16 << 20 };

/** A running server. */
export class EEServer {
  /** The model it serves. */
  readonly model: ServedModel;
  private readonly scheduler: Scheduler;
  private readonly log: RequestLog | null;
  private readonly limits: { maxBodyBytes: number };
  private draining = false;
  private active = 0;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly http: Server,
    private readonly engine: Engine,
    private readonly ownsEngine: boolean,
    model: ServedModel,
    opts: Required<Pick<ServeOptions, "maxConcurrency" | "maxQueue" | "maxBodyBytes">> & ServeOptions,
  ) {
    this.model = model;
    this.scheduler = new Scheduler(engine, { maxBatch: opts.maxConcurrency, maxQueue: opts.maxQueue });
    this.log = opts.logRequests ? new RequestLog(opts.logRequests) : null;
    this.limits = { maxBodyBytes: opts.maxBodyBytes };
    http.on("request", (req, res) => void this.handle(req, res));
  }

  /**
   * Serve `engine`, already open on `folder` (the folder is read for its config and ee.json only).
   * With `ownsEngine`, `close()` closes the engine too.
   */
  static async start(
    folder: string,
    engine: Engine,
    opts: ServeOptions = {},
    ownsEngine = false,
  ): Promise<EEServer> {
    const o = { ...DEFAULTS, ...stripUndefined(opts) };
    for (const [k, v] of Object.entries({
      maxConcurrency: o.maxConcurrency,
      maxQueue: o.maxQueue,
      maxBodyBytes: o.maxBodyBytes,
    }))
      if (!Number.isInteger(v) || v < 1) throw new Error(`ee serve: ${k} must be an integer >= 1, got ${v}`);
    const model = describeServedModel(folder, engine, o.modelId);
    const http = createServer({ keepAliveTimeout: 5000 });
    const server = new EEServer(http, engine, ownsEngine, model, o);
    await new Promise<void>((resolve, reject) => {
      http.once("error", (e: NodeJS.ErrnoException) =>
        reject(new Error(`ee serve: cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`)),
      );
      http.listen(o.port, o.host, () => resolve());
    });
    return server;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  get url(): string {
    const a = this.http.address() as AddressInfo;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /** Stop gracefully: refuse new requests (503), let queued and running ones finish, then release. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.draining = true;
      const stopped = new Promise<void>((r) => this.http.close(() => r()));
      this.http.closeIdleConnections();
      await this.scheduler.whenIdle();
      while (this.active > 0) await new Promise((r) => setTimeout(r, 10));
      this.http.closeIdleConnections();
      await stopped;
      await this.log?.close();
      if (this.ownsEngine) await this.engine.close();
    })();
    return this.closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const path = (req.url ?? "/").split("?")[0];
    const entry: RequestLogEntry = {
      time: new Date().toISOString(),
      id: "",
      route: `${req.method} ${path}`,
      status: 200,
      totalMs: 0,
      bodyBytes: 0,
    };
    this.active++;
    try {
      if (this.draining) throw new ApiError(503, "server is shutting down");
      await this.route(req, res, path, entry, arrivedAt);
    } catch (e) {
      const body = errorBody(e);
      entry.status = body.error.code;
      entry.error = body.error.message;
      if (!res.headersSent) sendJson(res, body.error.code, body, body.error.code === 413 || this.draining);
      else if (!res.writableEnded) res.end();
    } finally {
      this.active--;
      entry.totalMs = performance.now() - arrivedAt;
      if (this.log && path !== "/health") this.log.write(entry);
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    entry: RequestLogEntry,
    arrivedAt: number,
  ): Promise<void> {
    const method = (expected: string) => {
      if (req.method !== expected) throw new ApiError(405, `${path} takes ${expected}, not ${req.method}`);
    };
    switch (path) {
      case "/health":
        method("GET");
        res.writeHead(200, { "content-length": 0 });
        res.end();
        return;
      case "/v1/models":
        method("GET");
        sendJson(res, 200, { object: "list", data: [this.modelCard()] });
        return;
      case "/v1/completions": {
        method("POST");
        const { body, bytes } = await readJsonBody(req, this.limits.maxBodyBytes);
        entry.bodyBytes = bytes;
        const c = parseCompletionRequest(body, this.model);
        entry.id = `cmpl-${randomUUID().replaceAll("-", "")}`;
        entry.promptTokenIds = c.prompts.map((p) => [...p]);
        entry.promptLengths = c.prompts.map((p) => p.length);
        entry.settings = {
          maxTokens: c.maxTokens,
          ignoreEos: c.ignoreEos,
          logprobs: c.logprobs,
          stream: c.stream,
        };
        const out = await answerCompletion(res, c, this.model, this.scheduler, entry.id, arrivedAt);
        entry.outputTokenIds = out.outputTokenIds;
        entry.queueMs = out.queueMs;
        entry.ttftMs = out.ttftMs;
        return;
      }
      case "/classify":
      case "/v1/classify": {
        method("POST");
        const { body, bytes } = await readJsonBody(req, this.limits.maxBodyBytes);
        entry.bodyBytes = bytes;
        const c = parseClassifyRequest(body, this.model);
        entry.id = `classify-${randomUUID().replaceAll("-", "")}`;
        entry.promptTokenIds = c.inputs.map((p) => [...p]);
        entry.promptLengths = c.inputs.map((p) => p.length);
        const out = await answerClassify(res, c, this.model, this.scheduler, entry.id);
        entry.predictedClasses = out.predictedClasses;
        entry.queueMs = out.queueMs;
        return;
      }
      default:
        throw new ApiError(
          404,
          `no route ${req.method} ${path} (serving /health, /v1/models, /v1/completions, /classify)`,
        );
    }
  }

  /** `/v1/models`' entry, vLLM's ModelCard plus `ee` (public manifest fields, null for a plain folder). */
  private modelCard(): Record<string, unknown> {
    const m = this.model;
    return {
      id: m.id,
      object: "model",
      created: m.createdSec,
      owned_by: "ee-serve",
      root: m.id,
      parent: null,
      max_model_len: m.maxPositions,
      permission: [],
      ee: {
        task: m.task,
        vocab_size: m.vocabSize,
        num_labels: m.task === "classify" ? m.labels.length : null,
        engine: this.engine.info.name,
        encryption: m.ee,
      },
    };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Check `folder` holds no key and no tokenizer, open it with the named engine, and serve it. */
export async function serveFolder(folder: string, opts: ServeFolderOptions = {}): Promise<EEServer> {
  const dir = checkServableFolder(folder);
  const engine = await getEngine(opts.engine ?? DEFAULT_ENGINE).open(dir, opts.engineOptions);
  try {
    return await EEServer.start(dir, engine, opts, true);
  } catch (e) {
    await engine.close();
    throw e;
  }
}

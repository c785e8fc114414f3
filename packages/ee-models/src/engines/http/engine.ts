/**
 * The `http` engine: any OpenAI-compatible server (`ee serve`, vLLM, TGI, llama.cpp's server) as an
 * Engine. `generate` sends one streamed completion per prompt, `concurrency` of them in flight;
 * `classify` posts token ids to `/classify`. The first step comes back as top-k log-probabilities
 * (kind `"topk"`): full logits do not cross the wire. Times include the wire both ways.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type {
  Engine,
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineSequence,
  IdSequences,
} from "../engine.js";
import { checkFirstStep } from "../first-step.js";
import { tensor } from "../tensor.js";
import { type CompletionAnswer, complete } from "./completion.js";
import type { HttpEngineSettings } from "./options.js";
import { HttpEngineError, sendJson } from "./wire.js";

/** Per-request timing of one prompt of a `generate` call. */
export interface HttpRequestTiming {
  /** Request start to the first token's arrival (ms). */
  readonly ttftMs: number;
  /** Mean time between later tokens, (last − first) / (n − 1) (ms); null with one token. */
  readonly tpotMs: number | null;
  /** Tokens received (tokens). */
  readonly tokens: number;
  /** Request start to its end (ms). */
  readonly totalMs: number;
}

/** `generate`'s result, with each request's own timing (what a served benchmark reports). */
export interface HttpGenerateResult extends EngineGenerateResult {
  /** One entry per prompt, in order. */
  readonly requests: readonly HttpRequestTiming[];
}

/** What the engine learned of the model when it opened. */
export interface HttpModelFacts {
  /** Model id sent as `model`. */
  readonly model: string;
  /** Task. */
  readonly task: "generate" | "classify";
  /** Vocabulary size (generate) or number of labels (classify). */
  readonly outputSize: number;
  /** Longest sequence (tokens). */
  readonly maxPositions: number;
  /** What the server publishes of the folder's encryption (`ee serve`: ee.json's public fields), else null. */
  readonly encryption: { scheme: string; architecture: string; keyFingerprint: string } | null;
}

type Obj = Record<string, unknown>;

/** Refuse an empty batch or an empty sequence before anything is sent. */
function checkBatch(ids: IdSequences, what: string): void {
  if (ids.length === 0) throw new Error(`http engine: ${what}: no sequences`);
  ids.forEach((p, i) => {
    if (p.length === 0) throw new Error(`http engine: ${what}: sequence ${i} is empty`);
  });
}

/** Run `fn` over `items` with at most `n` in flight; results in input order. */
async function pool<T, R>(
  items: readonly T[],
  n: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** Facts from a local config.json (HF keys), when the folder is here. */
function localFacts(folder: string): Partial<HttpModelFacts> {
  const path = join(folder, "config.json");
  if (!folder || !existsSync(path)) return {};
  const cfg = JSON.parse(readFileSync(path, "utf8")) as Obj;
  const type = String(cfg.model_type ?? "");
  const classify = type === "bert" || type === "roberta";
  const labels =
    cfg.id2label && typeof cfg.id2label === "object" ? Object.keys(cfg.id2label as Obj).length : undefined;
  return {
    task: classify ? "classify" : "generate",
    outputSize: classify
      ? ((cfg.num_labels as number | undefined) ?? labels)
      : (cfg.vocab_size as number | undefined),
    maxPositions: cfg.max_position_embeddings as number | undefined,
  };
}

/** Facts from `/v1/models` (vLLM's `max_model_len`; `ee serve` adds `ee.task`, `ee.vocab_size`, `ee.num_labels`). */
async function serverFacts(s: HttpEngineSettings): Promise<Partial<HttpModelFacts>> {
  const json = await sendJson(`${s.endpoint}/v1/models`, {
    method: "GET",
    timeoutMs: Math.min(s.timeoutMs, 30_000),
  });
  const data = (json.data as Obj[] | undefined) ?? [];
  const card = s.model === null ? data[0] : data.find((d) => d.id === s.model);
  if (!card)
    throw new HttpEngineError(
      `GET ${s.endpoint}/v1/models: ${s.model === null ? "no model served" : `no model "${s.model}" (served: ${data.map((d) => d.id).join(", ")})`}`,
    );
  const ee = (card.ee as Obj | undefined) ?? {};
  const task = ee.task === "classify" || ee.task === "generate" ? ee.task : undefined;
  return {
    model: String(card.id),
    task,
    outputSize: (task === "classify" ? ee.num_labels : ee.vocab_size) as number | undefined,
    maxPositions: card.max_model_len as number | undefined,
    encryption: (ee.encryption as HttpModelFacts["encryption"] | undefined) ?? null,
  };
}

/** An open http engine. */
export class HttpEngine implements Engine {
  readonly info: EngineInfo;
  readonly task: "generate" | "classify";
  readonly outputSize: number;
  readonly maxPositions: number;

  private constructor(
    private readonly s: HttpEngineSettings,
    readonly facts: HttpModelFacts,
  ) {
    this.task = facts.task;
    this.outputSize = facts.outputSize;
    this.maxPositions = facts.maxPositions;
    this.info = {
      name: "http",
      label: `http ${s.endpoint} (×${s.concurrency})`,
      runtimeVersion: "unknown",
      device: "cpu",
    };
  }

  /** Ask the server what it serves; fill gaps from a local `folder/config.json` and the settings. */
  static async open(folder: string, s: HttpEngineSettings): Promise<HttpEngine> {
    const server = await serverFacts(s);
    const local = localFacts(folder);
    const pick = <K extends keyof HttpModelFacts>(k: K, given: HttpModelFacts[K] | null) =>
      given ?? server[k] ?? local[k];
    const facts = {
      model: server.model as string,
      task: pick("task", s.task),
      outputSize: pick("outputSize", s.outputSize),
      maxPositions: pick("maxPositions", s.maxPositions),
      encryption: server.encryption ?? null,
    };
    for (const [k, v] of Object.entries(facts))
      if (v === undefined)
        throw new Error(
          `http engine (${s.endpoint}): the model's ${k} is unknown — the server does not say it and ${folder || "no folder"} has no config.json; pass extra.${k}`,
        );
    return new HttpEngine(s, facts as HttpModelFacts);
  }

  async classify(ids: IdSequences): Promise<EngineClassifyResult> {
    if (this.task !== "classify")
      throw new Error(`http engine (${this.s.endpoint}): classify on a generate model`);
    checkBatch(ids, "classify");
    const t0 = performance.now();
    const size = this.s.classifyBatch ?? ids.length;
    const parts: (readonly (readonly number[])[])[] = [];
    for (let i = 0; i < ids.length; i += size) parts.push(ids.slice(i, i + size));
    const url = `${this.s.endpoint}/classify`;
    const answers = await pool(parts, this.s.concurrency, async (part) => {
      const json = await sendJson(url, {
        method: "POST",
        body: { model: this.facts.model, input: part.map((p) => [...p]) },
        timeoutMs: this.s.timeoutMs,
      });
      const data = json.data as Obj[] | undefined;
      if (!Array.isArray(data) || data.length !== part.length)
        throw new HttpEngineError(
          `POST ${url}: expected ${part.length} results, got ${data?.length ?? "none"}`,
        );
      // logits when the server gives them (ee serve); else log-probabilities (vLLM's probs), equal up to a constant
      return data.map((d) =>
        Array.isArray(d.logits) ? (d.logits as number[]) : (d.probs as number[]).map(Math.log),
      );
    });
    const rows = answers.flat();
    const L = this.outputSize;
    const out = new Float32Array(rows.length * L);
    rows.forEach((r, b) => {
      if (r.length !== L)
        throw new HttpEngineError(`POST ${url}: result ${b} has ${r.length} classes, expected ${L}`);
      out.set(r, b * L);
    });
    return { logits: tensor(out, [rows.length, L]), latencyMs: performance.now() - t0 };
  }

  async generate(prompts: IdSequences, o: EngineGenerateOptions): Promise<HttpGenerateResult> {
    if (this.task !== "generate")
      throw new Error(`http engine (${this.s.endpoint}): generate on a classify model`);
    if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1)
      throw new Error(`http engine: maxNewTokens must be an integer >= 1, got ${o.maxNewTokens}`);
    checkBatch(prompts, "generate");
    checkFirstStep(o.firstStep, this.outputSize);
    const topK = o.firstStep === undefined || o.firstStep === "logits" ? this.s.topK : o.firstStep.topK;
    const t0 = performance.now();
    const answers: CompletionAnswer[] = await pool(prompts, this.s.concurrency, (prompt) =>
      complete(
        this.s.endpoint,
        this.facts.model,
        { prompt, maxTokens: o.maxNewTokens, stopTokenIds: o.eosTokenIds ?? [], topK },
        { stream: this.s.stream, timeoutMs: this.s.timeoutMs },
      ),
    );
    const totalMs = performance.now() - t0;
    const sequences: EngineSequence[] = answers.map((a) => ({
      tokenIds: a.tokenIds,
      finishReason: a.finishReason,
      firstStep: a.firstStep,
    }));
    const requests = answers.map((a): HttpRequestTiming => {
      const n = a.arrivalsMs.length;
      return {
        ttftMs: a.arrivalsMs[0] ?? a.totalMs,
        tpotMs: n > 1 ? (a.arrivalsMs[n - 1] - a.arrivalsMs[0]) / (n - 1) : null,
        tokens: n,
        totalMs: a.totalMs,
      };
    });
    // the batch's steps: step s lasts, on average over the prompts that reached it, arrival(s+1) − arrival(s)
    const longest = Math.max(...answers.map((a) => a.arrivalsMs.length));
    const perTokenMs: number[] = [];
    for (let s = 1; s < longest; s++) {
      const gaps = answers
        .filter((a) => a.arrivalsMs.length > s)
        .map((a) => a.arrivalsMs[s] - a.arrivalsMs[s - 1]);
      perTokenMs.push(gaps.reduce((x, y) => x + y, 0) / gaps.length);
    }
    return {
      sequences,
      timeToFirstTokenMs: Math.max(...requests.map((r) => r.ttftMs)),
      perTokenMs,
      totalMs,
      requests,
    };
  }

  async close(): Promise<void> {
    // nothing held: every request has ended
  }
}

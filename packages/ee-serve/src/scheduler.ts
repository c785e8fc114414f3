/**
 * The server's one queue in front of the engine. An engine call is not re-entrant (an ORT
 * session holds one KV cache), so calls run one at a time; to serve many clients at once, waiting
 * prompts with the same decoding settings are batched into one call of up to `maxBatch` prompts (a
 * static-batch stand-in for vLLM's continuous batching). At most `maxQueue` prompts wait; more is a 429.
 */
import type { Engine, EngineSequence, FirstStep } from "ee-models";
import { ApiError } from "./errors.js";

/** How a generation prompt is decoded; prompts with equal settings share an engine call. */
export interface DecodeSettings {
  /** New tokens, at most (tokens). */
  readonly maxNewTokens: number;
  /** Tokens that stop it (token ids); [] = never early. */
  readonly eosTokenIds: readonly number[];
  /** First-step log-probabilities wanted (tokens, ≥ 1). */
  readonly topK: number;
}

/** What happens to one generation prompt as it runs. */
export interface PromptListener {
  /** A new token (token id), in order; `firstStep` comes with the first token when the engine reports it. */
  onToken(tokenId: number, firstStep?: FirstStep): void;
}

/** Timing of one queued item (ms). */
export interface ItemTiming {
  /** From submission to the start of its engine call (ms). */
  readonly queueMs: number;
  /** Its engine call, whole (ms). */
  readonly engineMs: number;
  /** Prompts in that engine call (prompts). */
  readonly batchSize: number;
}

/** A finished generation prompt. */
export interface GeneratedPrompt extends ItemTiming {
  /** The engine's sequence. */
  readonly sequence: EngineSequence;
}

/** A finished classification. */
export interface ClassifiedInput extends ItemTiming {
  /** Class logits `[L]` (nats). */
  readonly logits: Float32Array;
}

interface Item {
  readonly key: string;
  readonly ids: readonly number[];
  readonly submittedAt: number;
  readonly settings: DecodeSettings | null; // null = classify
  readonly listener: PromptListener | null;
  resolve(v: GeneratedPrompt | ClassifiedInput): void;
  reject(e: unknown): void;
}

/** Limits of the queue. */
export interface SchedulerLimits {
  /** Most prompts in one engine call (prompts, ≥ 1). */
  readonly maxBatch: number;
  /** Most prompts waiting (prompts, ≥ 1); beyond it a request is refused with 429. */
  readonly maxQueue: number;
}

/** The queue and its single worker. */
export class Scheduler {
  private readonly pending: Item[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly limits: SchedulerLimits,
  ) {}

  /** Prompts waiting, not yet in an engine call (prompts). */
  get queued(): number {
    return this.pending.length;
  }

  /** Whether nothing waits and nothing runs. */
  get idle(): boolean {
    return !this.running && this.pending.length === 0;
  }

  /** Refuse `n` more prompts when they do not fit the queue (429), or never can (400). */
  private admit(n: number): void {
    if (n > this.limits.maxQueue)
      throw new ApiError(
        400,
        `${n} prompts in one request exceed the server's queue of ${this.limits.maxQueue}`,
        "prompt",
      );
    if (this.pending.length + n > this.limits.maxQueue)
      throw new ApiError(
        429,
        `server busy: ${this.pending.length} prompts queued (limit ${this.limits.maxQueue}); retry later`,
      );
  }

  /** Queue generation prompts; resolves with one result per prompt, in order. */
  generate(
    prompts: readonly (readonly number[])[],
    settings: DecodeSettings,
    listeners: readonly PromptListener[],
  ): Promise<GeneratedPrompt[]> {
    this.admit(prompts.length);
    const key = `g:${settings.maxNewTokens}:${[...settings.eosTokenIds].sort((a, b) => a - b).join(",")}`;
    const done = prompts.map(
      (ids, i) =>
        new Promise<GeneratedPrompt>((resolve, reject) => {
          this.pending.push({
            key,
            ids,
            submittedAt: performance.now(),
            settings,
            listener: listeners[i] ?? null,
            resolve: resolve as Item["resolve"],
            reject,
          });
        }),
    );
    this.kick();
    return Promise.all(done);
  }

  /** Queue sequences to classify; resolves with one logits row per sequence, in order. */
  classify(inputs: readonly (readonly number[])[]): Promise<ClassifiedInput[]> {
    this.admit(inputs.length);
    const done = inputs.map(
      (ids) =>
        new Promise<ClassifiedInput>((resolve, reject) => {
          this.pending.push({
            key: "c",
            ids,
            submittedAt: performance.now(),
            settings: null,
            listener: null,
            resolve: resolve as Item["resolve"],
            reject,
          });
        }),
    );
    this.kick();
    return Promise.all(done);
  }

  /** Resolves once nothing waits and nothing runs. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private kick(): void {
    if (this.running || this.pending.length === 0) {
      if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    this.running = true;
    const batch = this.takeBatch();
    this.runBatch(batch)
      .catch((e) => {
        for (const it of batch) it.reject(e);
      })
      .finally(() => {
        this.running = false;
        setImmediate(() => this.kick());
      });
  }

  /** The oldest item and, in arrival order, the others with its key, up to `maxBatch`. */
  private takeBatch(): Item[] {
    const key = this.pending[0].key;
    const batch: Item[] = [];
    for (let i = 0; i < this.pending.length && batch.length < this.limits.maxBatch; ) {
      if (this.pending[i].key === key) batch.push(...this.pending.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private async runBatch(batch: Item[]): Promise<void> {
    const start = performance.now();
    const ids = batch.map((it) => it.ids);
    const timing = (it: Item): ItemTiming => ({
      queueMs: start - it.submittedAt,
      engineMs: performance.now() - start,
      batchSize: batch.length,
    });
    const first = batch[0].settings;
    if (first === null) {
      const out = await this.engine.classify(ids);
      const L = out.logits.dims[1];
      batch.forEach((it, b) => {
        it.resolve({ ...timing(it), logits: (out.logits.data as Float32Array).slice(b * L, (b + 1) * L) });
      });
      return;
    }
    const topK = Math.max(...batch.map((it) => it.settings?.topK ?? 1));
    const emitted = batch.map(() => 0);
    const out = await this.engine.generate(ids, {
      maxNewTokens: first.maxNewTokens,
      eosTokenIds: first.eosTokenIds,
      firstStep: { topK },
      onStep: (step, tokens, firstSteps) => {
        tokens.forEach((t, b) => {
          if (t < 0 || emitted[b] !== step) return;
          emitted[b]++;
          batch[b].listener?.onToken(t, step === 0 ? firstSteps?.[b] : undefined);
        });
      },
    });
    batch.forEach((it, b) => {
      const seq = out.sequences[b];
      // tokens the engine did not report step by step go out now, in order
      for (let s = emitted[b]; s < seq.tokenIds.length; s++)
        it.listener?.onToken(seq.tokenIds[s], s === 0 ? seq.firstStep : undefined);
      it.resolve({ ...timing(it), sequence: seq });
    });
  }
}

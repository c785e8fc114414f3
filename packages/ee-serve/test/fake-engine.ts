/**
 * A small deterministic Engine for server tests (no runtime): the next token is a fixed function of
 * the context, logits peak there, so greedy decoding, EOS and top-k are all checkable by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  Engine,
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineSequence,
  IdSequences,
} from "ee-models";
import { tensor } from "ee-models";

/** Vocabulary of the fake LM (tokens). */
export const FAKE_VOCAB = 50;
/** Positions of the fake models (tokens). */
export const FAKE_POSITIONS = 64;
/** The fake LM's EOS (token id). */
export const FAKE_EOS = 7;

/** Next token after `ctx`. */
export function fakeNext(ctx: readonly number[]): number {
  let h = ctx.length;
  for (const t of ctx) h = (h * 31 + t * 7) % 1009;
  return h % FAKE_VOCAB;
}

/** Logits over the vocabulary for context `ctx`: peak 0 at the next token, lower further away. */
export function fakeLogits(ctx: readonly number[]): Float32Array {
  const next = fakeNext(ctx);
  return Float32Array.from({ length: FAKE_VOCAB }, (_, t) => -0.5 * Math.abs(t - next) - 0.01 * t);
}

/** Options of the fake engine. */
export interface FakeEngineOptions {
  /** `"generate"` (default) or `"classify"`. */
  task?: "generate" | "classify";
  /** Delay per step (ms), to make requests overlap. */
  stepDelayMs?: number;
  /** Report steps through `onStep` (default true). */
  reportSteps?: boolean;
}

/** A fake engine; `calls` records every batch it ran (prompts per call). */
export class FakeEngine implements Engine {
  readonly info = { name: "fake", label: "fake", runtimeVersion: "0", device: "cpu" as const };
  readonly task: "generate" | "classify";
  readonly outputSize: number;
  readonly maxPositions = FAKE_POSITIONS;
  readonly calls: number[] = [];
  closed = false;
  private busy = false;

  constructor(private readonly opts: FakeEngineOptions = {}) {
    this.task = opts.task ?? "generate";
    this.outputSize = this.task === "generate" ? FAKE_VOCAB : 3;
  }

  private async step(): Promise<void> {
    if (this.opts.stepDelayMs) await new Promise((r) => setTimeout(r, this.opts.stepDelayMs));
  }

  async classify(ids: IdSequences): Promise<EngineClassifyResult> {
    if (this.task !== "classify") throw new Error("fake: not a classifier");
    this.calls.push(ids.length);
    await this.step();
    const data = new Float32Array(ids.length * 3);
    ids.forEach((seq, b) => {
      const s = seq.reduce((a, t) => a + t, 0);
      for (let l = 0; l < 3; l++) data[b * 3 + l] = ((s + l * 5) % 11) / 4;
    });
    return { logits: tensor(data, [ids.length, 3]), latencyMs: 0 };
  }

  async generate(prompts: IdSequences, o: EngineGenerateOptions): Promise<EngineGenerateResult> {
    if (this.task !== "generate") throw new Error("fake: not an LM");
    if (this.busy) throw new Error("fake: generate called while another call runs (not re-entrant)");
    this.busy = true;
    try {
      this.calls.push(prompts.length);
      const eos = new Set(o.eosTokenIds ?? []);
      const k = o.firstStep === undefined || o.firstStep === "logits" ? 0 : o.firstStep.topK;
      const seqs = prompts.map(() => ({ ids: [] as number[], done: false }));
      const firsts = prompts.map((p) => {
        const logits = fakeLogits(p);
        if (k === 0) return { kind: "logits" as const, logits };
        const order = Array.from(logits.keys())
          .sort((a, b) => logits[b] - logits[a] || a - b)
          .slice(0, k);
        const max = Math.max(...logits);
        const logZ = max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
        return {
          kind: "topk" as const,
          ids: Int32Array.from(order),
          logprobs: Float32Array.from(order, (i) => logits[i] - logZ),
        };
      });
      for (let step = 0; step < o.maxNewTokens && seqs.some((s) => !s.done); step++) {
        await this.step();
        const toks = seqs.map((s, b) => {
          if (s.done) return -1;
          const t = fakeNext([...prompts[b], ...s.ids]);
          s.ids.push(t);
          if (eos.has(t)) s.done = true;
          return t;
        });
        if (this.opts.reportSteps ?? true) o.onStep?.(step, toks, step === 0 ? firsts : undefined);
      }
      const sequences: EngineSequence[] = seqs.map((s, b) => ({
        tokenIds: s.ids,
        finishReason: eos.has(s.ids[s.ids.length - 1]) ? "eos" : "length",
        firstStep: firsts[b],
      }));
      return { sequences, timeToFirstTokenMs: 0, perTokenMs: [], totalMs: 0 };
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A temporary model folder holding only a config.json (and optional ee.json); returns it and its cleanup. */
export function fakeFolder(task: "generate" | "classify", ee?: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "ee-serve-fake-"));
  const cfg =
    task === "generate"
      ? { model_type: "llama", vocab_size: FAKE_VOCAB, eos_token_id: FAKE_EOS }
      : { model_type: "bert", vocab_size: FAKE_VOCAB, id2label: { 0: "a", 1: "b", 2: "c" } };
  writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));
  if (ee) writeFileSync(join(dir, "ee.json"), JSON.stringify(ee));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Greedy continuation of `prompt` by the fake LM, stopping after `eos` when given (token ids). */
export function fakeGreedy(prompt: readonly number[], max: number, eos: readonly number[] = []): number[] {
  const out: number[] = [];
  while (out.length < max) {
    const t = fakeNext([...prompt, ...out]);
    out.push(t);
    if (eos.includes(t)) break;
  }
  return out;
}

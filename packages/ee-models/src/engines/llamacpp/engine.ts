/**
 * `LlamaCppEngine`: one GGUF model in llama.cpp (through node-llama-cpp), driven by token ids only:
 * prompts go in as ids, generated ids come out; no text is ever tokenized or detokenized, so an
 * encrypted model's vocabulary-free GGUF runs as is. Prompts of a batch are run one after another
 * in one context sequence (its KV cache cleared between prompts); batch timings add up the prompts.
 */
import type {
  Engine,
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineSequence,
  IdSequences,
} from "../engine.js";
import { checkFirstStep, firstStepOf } from "../first-step.js";
import { argmaxLowest, FULL_SOFTMAX, logprobsFromMap } from "./first-step.js";
import type { NlcContext, NlcModel, NlcSequence } from "./runtime.js";

/** What `LlamaCppEngine` is built from. */
export interface LlamaCppParts {
  /** Report info. */
  readonly info: EngineInfo;
  /** The loaded model. */
  readonly model: NlcModel;
  /** Its one context (KV cache of `context.contextSize` tokens). */
  readonly context: NlcContext;
  /** Vocabulary size V (tokens). */
  readonly vocabSize: number;
}

/** An open GGUF model (see the module comment). */
export class LlamaCppEngine implements Engine {
  readonly info: EngineInfo;
  readonly task = "generate" as const;
  readonly outputSize: number;
  readonly maxPositions: number;
  private readonly model: NlcModel;
  private readonly context: NlcContext;
  private readonly sequence: NlcSequence;
  private closed = false;

  constructor(parts: LlamaCppParts) {
    this.info = parts.info;
    this.model = parts.model;
    this.context = parts.context;
    this.sequence = parts.context.getSequence();
    this.outputSize = parts.vocabSize;
    this.maxPositions = parts.context.contextSize;
  }

  async classify(_ids: IdSequences): Promise<EngineClassifyResult> {
    throw new Error(`engine ${this.info.name}: classify on a generate model`);
  }

  private checkPrompt(p: readonly number[], i: number, maxNewTokens: number): void {
    if (p.length === 0) throw new Error(`generate: sequence ${i} is empty`);
    for (const id of p)
      if (!Number.isInteger(id) || id < 0 || id >= this.outputSize)
        throw new Error(
          `generate: sequence ${i}: token id ${id} is outside the vocabulary 0..${this.outputSize - 1}`,
        );
    if (p.length + maxNewTokens > this.maxPositions)
      throw new Error(
        `generate: sequence ${i} (${p.length} tokens) + ${maxNewTokens} new tokens exceed the context of ${this.maxPositions} tokens (raise extra.contextSize)`,
      );
  }

  async generate(prompts: IdSequences, opts: EngineGenerateOptions): Promise<EngineGenerateResult> {
    if (this.closed) throw new Error("llamacpp engine: generate after close");
    const n = opts.maxNewTokens;
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`generate: maxNewTokens must be an integer >= 1, got ${n}`);
    if (prompts.length === 0) throw new Error("generate: no sequences given");
    checkFirstStep(opts.firstStep, this.outputSize);
    for (const [i, p] of prompts.entries()) this.checkPrompt(p, i, n);
    const eos = new Set(opts.eosTokenIds ?? []);
    const t0 = performance.now();
    let ttft = 0;
    const perTokenMs: number[] = [];
    const sequences: EngineSequence[] = [];
    for (const prompt of prompts) {
      await this.sequence.clearHistory();
      const tStart = performance.now();
      const last = prompt.length - 1;
      const items: (number | [number, Record<string, unknown>])[] = prompt.map((id, i) =>
        i < last ? id : [id, { generateNext: { probabilities: true, options: { ...FULL_SOFTMAX } } }],
      );
      const out = await this.sequence.controlledEvaluate(items);
      const probs = out[last]?.next.probabilities;
      if (!probs) throw new Error("llamacpp engine: node-llama-cpp returned no next-token probabilities");
      const logprobs = logprobsFromMap(probs, this.outputSize);
      const first = argmaxLowest(logprobs);
      ttft += performance.now() - tStart;
      const tokenIds = [first];
      let finishReason: "eos" | "length" = eos.has(first) ? "eos" : "length";
      if (finishReason === "length" && n > 1) {
        let step = 0;
        let tPrev = performance.now();
        for await (const t of this.sequence.evaluate([first], { temperature: 0, yieldEogToken: true })) {
          const now = performance.now();
          perTokenMs[step] = (perTokenMs[step] ?? 0) + (now - tPrev);
          tPrev = now;
          step++;
          tokenIds.push(t);
          if (eos.has(t)) {
            finishReason = "eos";
            break;
          }
          if (tokenIds.length >= n) break;
        }
      }
      sequences.push({ tokenIds, finishReason, firstStep: firstStepOf(logprobs, opts.firstStep) });
    }
    return { sequences, timeToFirstTokenMs: ttft, perTokenMs, totalMs: performance.now() - t0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * `OnnxruntimeEngine`: the `Engine` over a model folder's `onnx/model.onnx` in onnxruntime. Classifier
 * folders open a `ClassifierSession`, causal-LM folders a `CausalLMSession` (also the engine's
 * `stepper`); greedy `generate` is the shared loop of `runner/generate.ts` over that session.
 */
import { readModelFolder } from "../../folder.js";
import type { LlamaConfig } from "../../llama/config.js";
import { getArchitecture } from "../../registry.js";
import { checkMaxNewTokens, generateWithStepper } from "../../runner/generate.js";
import type {
  Engine,
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineStepper,
  IdSequences,
} from "../engine.js";
import { checkFirstStep, firstStepOf } from "../first-step.js";
import { tensor } from "../tensor.js";
import { CausalLMSession } from "./causal-lm.js";
import { ClassifierSession } from "./classifier.js";
import type { SessionOptions } from "./runtime.js";

/** Throws unless `prompts` is a non-empty list of non-empty id lists. */
function checkPrompts(prompts: IdSequences, what: string): void {
  if (!Array.isArray(prompts) || prompts.length === 0) throw new Error(`${what}: no sequences given`);
  prompts.forEach((p, i) => {
    if (!Array.isArray(p) || p.length === 0) throw new Error(`${what}: sequence ${i} is empty`);
  });
}

/** An opened folder in onnxruntime. */
export class OnnxruntimeEngine implements Engine {
  readonly info: EngineInfo;
  readonly task: "classify" | "generate";
  readonly outputSize: number;
  readonly maxPositions: number;
  readonly stepper?: EngineStepper;
  private readonly classifier?: ClassifierSession;
  private readonly lm?: CausalLMSession;

  private constructor(info: EngineInfo, s: ClassifierSession | CausalLMSession) {
    this.info = info;
    if (s instanceof ClassifierSession) {
      this.task = "classify";
      this.classifier = s;
      this.outputSize = s.cfg.numLabels;
      this.maxPositions = s.maxLength;
    } else {
      this.task = "generate";
      this.lm = s;
      this.stepper = s;
      this.outputSize = s.cfg.vocabSize;
      this.maxPositions = s.cfg.maxPositionEmbeddings;
    }
  }

  /** Open `dir` (plain or encrypted) with onnxruntime session options. */
  static async open(dir: string, info: EngineInfo, opts: SessionOptions): Promise<OnnxruntimeEngine> {
    const folder = readModelFolder(dir);
    const task = getArchitecture(folder.arch).task;
    const session =
      task === "causal-lm"
        ? await CausalLMSession.fromOnnx(folder.onnxPath, folder.cfg as LlamaConfig, opts)
        : await ClassifierSession.open(dir, { ...opts, loadTokenizer: false });
    return new OnnxruntimeEngine(info, session);
  }

  async classify(ids: IdSequences): Promise<EngineClassifyResult> {
    if (!this.classifier) throw new Error(`engine ${this.info.name}: classify on a ${this.task} model`);
    checkPrompts(ids, "classify");
    const out = await this.classifier.classifyIds(ids);
    return { logits: tensor(out.logits, [out.batchSize, out.numLabels]), latencyMs: out.latencyMs };
  }

  async generate(prompts: IdSequences, opts: EngineGenerateOptions): Promise<EngineGenerateResult> {
    const lm = this.lm;
    if (!lm) throw new Error(`engine ${this.info.name}: generate on a ${this.task} model`);
    checkPrompts(prompts, "generate");
    checkMaxNewTokens(opts.maxNewTokens);
    checkFirstStep(opts.firstStep, this.outputSize);
    const res = await generateWithStepper(lm, prompts, {
      maxNewTokens: opts.maxNewTokens,
      eosTokenIds: opts.eosTokenIds ?? [],
      padTokenId: lm.eosTokenIds[0] ?? 0,
    });
    return {
      sequences: res.sequences.map((s) => ({
        tokenIds: s.tokenIds,
        finishReason: s.finishReason,
        firstStep: firstStepOf(s.firstTokenLogits, opts.firstStep),
      })),
      timeToFirstTokenMs: res.timeToFirstTokenMs,
      perTokenMs: res.perTokenMs,
      totalMs: res.totalMs,
    };
  }

  async close(): Promise<void> {
    await (this.classifier ?? this.lm)?.dispose();
  }
}

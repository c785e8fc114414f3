/**
 * `EncryptedCausalLM`: an encrypted Llama folder in any engine with step-wise decoding, driven
 * through the client protocol (`EncryptedEngine`). The KV cache stays in the engine (server side), in
 * the secret basis. Ids go in encrypted; logits and sampled ids come back decrypted. Each method
 * call is one complete EE request including the client's work, so a benchmark can time it as one sample.
 *
 * Sampling either on the server (`sampleOn: "server"`, default): the generation loop runs over the
 * engine's own stepper on encrypted logits and returns encrypted ids, which commutes with π (sampling
 * reads logit values only); or on the client (`"client"`): the same loop over the decrypting stepper,
 * so the client decrypts each step's logits, samples, and sends back encrypted ids.
 * Homophonic keys (V' > V): greedy decoding on the server is exact (all copies of a token tie), but
 * sampling over V' would weight token t by its k_t copies, so sampling defaults to the client there
 * and `sampleOn: "server"` with a temperature is refused.
 */
import type { EngineOptions, EngineStepper, IdSequences } from "../engines/engine.js";
import { DEFAULT_ENGINE, getEngine } from "../engines/registry.js";
import { type GenerateOptions, type GenerateResult, generateWithStepper } from "../runner/generate.js";
import { softmaxProb } from "../runner/sampling.js";
import type { EEClient } from "./client.js";
import { EncryptedEngine, type EncryptedStepOutput } from "./engine.js";

/** Where the next token is chosen. */
export type SampleSite = "server" | "client";

/** Options of `EncryptedCausalLM.generate`: those of the generation loop, in PLAIN token ids. */
export interface EncryptedGenerateOptions extends Omit<GenerateOptions, "logitsProcessor"> {
  /** Where sampling happens; default `"server"` (homophonic keys with a temperature: `"client"`). */
  sampleOn?: SampleSite;
}

/** Options of `EncryptedCausalLM.open`. */
export interface EncryptedCausalLMOptions extends EngineOptions {
  /** Registry name of the engine that runs the encrypted folder; default `DEFAULT_ENGINE`. */
  engine?: string;
}

/** An encrypted Llama driven through the client protocol. */
export class EncryptedCausalLM {
  /** The client over the engine that runs the encrypted folder. */
  readonly engine: EncryptedEngine;
  /** The engine's own stepper (server side, encrypted ids). */
  private readonly server: EngineStepper;
  /** The same seen through the client (plain ids, plain logits). */
  private readonly plain: NonNullable<EncryptedEngine["stepper"]>;

  private constructor(engine: EncryptedEngine) {
    const server = engine.inner.stepper;
    const plain = engine.stepper;
    if (!server || !plain)
      throw new Error(
        `engine ${engine.info.name}: no step-wise decoding, which sampling through the client needs`,
      );
    this.engine = engine;
    this.server = server;
    this.plain = plain;
  }

  /** Open `encDir` with the key at `keyPath` (checked against ee.json first). */
  static async open(
    encDir: string,
    keyPath: string,
    opts: EncryptedCausalLMOptions = {},
  ): Promise<EncryptedCausalLM> {
    const { engine: name, ...engineOpts } = opts;
    const engine = await EncryptedEngine.open(getEngine(name ?? DEFAULT_ENGINE), encDir, keyPath, engineOpts);
    if (engine.task !== "generate") {
      await engine.close();
      throw new Error(`encrypted folder ${encDir}: not a causal LM`);
    }
    try {
      return new EncryptedCausalLM(engine);
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  /** The validated key and its codec. */
  get client(): EEClient {
    return this.engine.client;
  }

  /** The encrypted folder's eos ids as the server sees them (π(eos)). */
  get serverEosTokenIds(): readonly number[] {
    return this.server.eosTokenIds;
  }

  /** The plain model's eos ids (the encrypted config holds π(eos)). */
  get plainEosTokenIds(): number[] {
    return [...this.plain.eosTokenIds];
  }

  /** Tokens in the engine's cache, padding included (tokens). */
  get cacheLength(): number {
    return this.server.cacheLength;
  }

  /** Start new sequences from PLAIN prompts (left-padded with the plain `padTokenId`); plain logits. */
  async prefill(prompts: IdSequences, padTokenId = 0): Promise<EncryptedStepOutput> {
    return this.plain.prefill(prompts, padTokenId);
  }

  /** Append one PLAIN token per row; plain logits of the new position. */
  async decode(tokenIds: readonly number[]): Promise<EncryptedStepOutput> {
    return this.plain.decode(tokenIds);
  }

  /** Generate from PLAIN prompts; the result is in plain ids and plain logits. */
  async generate(prompts: IdSequences, opts: EncryptedGenerateOptions): Promise<GenerateResult> {
    const { sampleOn, ...rest } = opts;
    const c = this.client.codec;
    if (c.encryptedVocabSize !== c.vocabSize && (rest.temperature ?? 0) > 0 && sampleOn === "server") {
      throw new Error(
        `generate: scheme ${this.client.key.scheme} gives token t k_t ids with equal logits, so sampling over them on the server is biased; sample on the client (sampleOn: "client") or decode greedily`,
      );
    }
    const homophonicSampling = c.encryptedVocabSize !== c.vocabSize && (rest.temperature ?? 0) > 0;
    return (sampleOn ?? (homophonicSampling ? "client" : "server")) === "server"
      ? this.generateOnServer(prompts, rest)
      : generateWithStepper(this.plain, prompts, rest);
  }

  private async generateOnServer(prompts: IdSequences, opts: GenerateOptions): Promise<GenerateResult> {
    const start = performance.now();
    const c = this.client;
    // the loop's defaults, in plain ids, then encrypted
    const eosIds = opts.eosTokenIds ?? this.plainEosTokenIds;
    const pad = opts.padTokenId ?? eosIds[0] ?? 0;
    const res = await generateWithStepper(
      this.server,
      prompts.map((p) => c.encryptIds([...p])),
      { ...opts, eosTokenIds: c.encryptIds([...eosIds]), padTokenId: c.codec.encryptId(pad) },
    );
    const homophonic = c.codec.encryptedVocabSize !== c.codec.vocabSize;
    const sequences = res.sequences.map((s) => {
      const tokenIds = c.decryptIds(s.tokenIds);
      const firstTokenLogits = c.decryptLogits(s.firstTokenLogits);
      // homophonic: the server's softmax ran over V' (copies counted k_t times); the plain one is over V
      const firstTokenProb =
        homophonic && tokenIds.length > 0 ? softmaxProb(firstTokenLogits, tokenIds[0]) : s.firstTokenProb;
      return { ...s, tokenIds, firstTokenLogits, firstTokenProb };
    });
    return { ...res, sequences, totalMs: performance.now() - start };
  }

  /** Release the engine. */
  async dispose(): Promise<void> {
    await this.engine.close();
  }
}

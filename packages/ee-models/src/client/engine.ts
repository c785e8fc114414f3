/**
 * `EncryptedEngine`: the EE client over any `Engine`. The inner engine runs the encrypted folder and
 * sees only encrypted ids; callers see a plain model: ids are encrypted on the way in (prompts, stop
 * tokens), class logits, vocabulary logits, generated ids and top-k ids are decrypted on the way out.
 * Each call is one complete EE request including the client's work, so a benchmark times both, and
 * the VI and EE sides of a row are the same engine with the same options.
 */
import type {
  Engine,
  EngineClassifyResult,
  EngineFactory,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineOptions,
  EngineStepper,
  FirstStep,
  IdSequences,
  StepOutput,
} from "../engines/engine.js";
import { tensor } from "../engines/tensor.js";
import { EEClient } from "./client.js";

/** Class logits of one EE request (plain label order), with the client's share of the time. */
export interface EncryptedClassifyResult extends EngineClassifyResult {
  /** Of `latencyMs` (the whole request), the inner engine's call (ms). */
  serverMs: number;
  /** The client's encryption and decryption (ms). */
  clientMs: number;
}

/** One step in plain token order, with the client's share of the time. */
export interface EncryptedStepOutput extends StepOutput {
  /** Of `latencyMs` (the whole request), the inner engine's call (ms). */
  serverMs: number;
  /** The client's encryption and decryption (ms). */
  clientMs: number;
}

/** The inner engine's stepper seen through the client: plain ids in, plain logits out. */
class DecryptingStepper implements EngineStepper {
  constructor(
    private readonly client: EEClient,
    private readonly inner: EngineStepper,
  ) {}

  get eosTokenIds(): readonly number[] {
    return this.client.decryptIds(this.inner.eosTokenIds.slice());
  }

  get cacheLength(): number {
    return this.inner.cacheLength;
  }

  private async step(run: () => Promise<StepOutput>, t0: number): Promise<EncryptedStepOutput> {
    const encryptMs = performance.now() - t0;
    const out = await run();
    const t1 = performance.now();
    const logits = this.client.decryptLogits(out.logits);
    const allLogits = this.client.decryptLogits(out.allLogits);
    const t2 = performance.now();
    return {
      ...out,
      logits,
      allLogits,
      vocabSize: this.client.codec.vocabSize, // V' → V under a homophonic key
      allLogitsDims: [...out.allLogitsDims.slice(0, -1), this.client.codec.vocabSize],
      latencyMs: t2 - t0,
      serverMs: out.latencyMs,
      clientMs: encryptMs + (t2 - t1),
    };
  }

  async prefill(prompts: IdSequences, padTokenId = 0): Promise<EncryptedStepOutput> {
    const t0 = performance.now();
    const enc = prompts.map((p) => this.client.encryptIds(p.slice()));
    const pad = this.client.codec.encryptId(padTokenId);
    return this.step(() => this.inner.prefill(enc, pad), t0);
  }

  async decode(tokenIds: readonly number[]): Promise<EncryptedStepOutput> {
    const t0 = performance.now();
    const enc = this.client.encryptIds(tokenIds.slice());
    return this.step(() => this.inner.decode(enc), t0);
  }
}

/** An encrypted folder opened in any engine, driven through the client protocol. */
export class EncryptedEngine implements Engine {
  /** The validated key and its codec. */
  readonly client: EEClient;
  /** The engine over the encrypted folder (sees only encrypted ids). */
  readonly inner: Engine;
  /** Step-wise decoding in plain ids (client-side sampling), when the inner engine has it. */
  readonly stepper?: DecryptingStepper;

  constructor(client: EEClient, inner: Engine) {
    this.client = client;
    this.inner = inner;
    if (inner.stepper) this.stepper = new DecryptingStepper(client, inner.stepper);
  }

  /** Check the key against `encDir/ee.json`, then open the folder with `factory`. */
  static async open(
    factory: EngineFactory,
    encDir: string,
    keyPath: string,
    opts: EngineOptions = {},
  ): Promise<EncryptedEngine> {
    const client = EEClient.open(encDir, keyPath);
    return new EncryptedEngine(client, await factory.open(encDir, opts));
  }

  get info() {
    return this.inner.info;
  }
  get task() {
    return this.inner.task;
  }
  get outputSize() {
    return this.inner.outputSize;
  }
  get maxPositions() {
    return this.inner.maxPositions;
  }

  /** Encrypt each sequence, classify, decrypt the class logits `[B, L]`. */
  async classify(ids: IdSequences): Promise<EncryptedClassifyResult> {
    const t0 = performance.now();
    const enc = ids.map((s) => this.client.encryptIds([...s]));
    const t1 = performance.now();
    const out = await this.inner.classify(enc);
    const t2 = performance.now();
    const [B, L] = out.logits.dims as [number, number];
    const logits = tensor(this.client.decryptClassLogits(out.logits.data, L), [B, L]);
    const t3 = performance.now();
    return { logits, latencyMs: t3 - t0, serverMs: t2 - t1, clientMs: t1 - t0 + (t3 - t2) };
  }

  /** Encrypt prompts and stop tokens, generate on the server side, decrypt ids and the first step. */
  async generate(prompts: IdSequences, opts: EngineGenerateOptions): Promise<EngineGenerateResult> {
    const start = performance.now();
    const c = this.client;
    const enc = prompts.map((p) => c.encryptIds([...p]));
    const eos = opts.eosTokenIds === undefined ? undefined : c.encryptIds([...opts.eosTokenIds]);
    // a step callback sees plain ids and first steps, like every other output
    const onStep: EngineGenerateOptions["onStep"] =
      opts.onStep &&
      ((step, ids, firstSteps) =>
        opts.onStep?.(
          step,
          ids.map((t) => (t < 0 ? t : c.decryptIds([t])[0])),
          firstSteps?.map((f) => this.decryptFirstStep(f)),
        ));
    const res = await this.inner.generate(enc, {
      ...opts,
      ...(eos ? { eosTokenIds: eos } : {}),
      ...(onStep ? { onStep } : {}),
    });
    const sequences = res.sequences.map((s) => ({
      tokenIds: c.decryptIds([...s.tokenIds]),
      finishReason: s.finishReason,
      firstStep: this.decryptFirstStep(s.firstStep),
    }));
    return { ...res, sequences, totalMs: performance.now() - start };
  }

  private decryptFirstStep(f: FirstStep): FirstStep {
    return f.kind === "logits"
      ? { kind: "logits", logits: this.client.decryptLogits(f.logits) }
      : { kind: "topk", ...this.client.codec.decryptTopK(f.ids, f.logprobs) };
  }

  async close(): Promise<void> {
    await this.inner.close();
  }
}

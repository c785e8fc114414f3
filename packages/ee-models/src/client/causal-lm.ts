/**
 * `EncryptedCausalLM`: the client protocol around a `CausalLMSession` over an encrypted Llama folder.
 * The KV cache stays in the session (server side), in the secret basis. Ids go in encrypted; logits
 * and sampled ids come back decrypted. Each method call is one complete EE request including the
 * client's work, so a benchmark can time it as one sample.
 *
 * Sampling either on the server (`sampleOn: "server"`, default): the server samples encrypted logits
 * and returns encrypted ids, which commutes with π (sampling reads logit values only); or on the
 * client (`"client"`): the client decrypts each step's logits, samples, and sends back encrypted ids.
 */
import { createRandom, type RandomSource } from "ee-core";
import {
  CausalLMSession,
  type GenerateOptions,
  type GenerateResult,
  type StepOutput,
} from "../runner/generate.js";
import { checkSamplingOptions, sampleToken } from "../runner/sampling.js";
import type { SessionOptions } from "../types.js";
import { EEClient } from "./client.js";

/** Where the next token is chosen. */
export type SampleSite = "server" | "client";

/** Options of `EncryptedCausalLM.generate`: those of the plain runner, in PLAIN token ids. */
export interface EncryptedGenerateOptions extends Omit<GenerateOptions, "logitsProcessor"> {
  /** Where sampling happens; default `"server"`. */
  sampleOn?: SampleSite;
}

/** One step's output in plain token order, with the client's share of the time. */
export interface EncryptedStepOutput extends StepOutput {
  /** Of `latencyMs`… the onnxruntime call (ms); `latencyMs` covers the whole request. */
  serverMs: number;
  /** The client's encryption and decryption (ms). */
  clientMs: number;
}

/** An encrypted Llama driven through the client protocol. */
export class EncryptedCausalLM {
  /** The validated key and its codec. */
  readonly client: EEClient;
  /** The server side: the plain runner over the encrypted folder. */
  readonly session: CausalLMSession;

  private constructor(client: EEClient, session: CausalLMSession) {
    this.client = client;
    this.session = session;
  }

  /** Open `encDir` with the key at `keyPath` (checked against ee.json first). */
  static async open(encDir: string, keyPath: string, opts: SessionOptions = {}): Promise<EncryptedCausalLM> {
    const client = EEClient.open(encDir, keyPath);
    return new EncryptedCausalLM(client, await CausalLMSession.open(encDir, opts));
  }

  /** The plain model's eos ids (the encrypted config holds π(eos)). */
  get plainEosTokenIds(): number[] {
    return this.client.decryptIds(this.session.cfg.eosTokenIds.slice());
  }

  private async step(
    run: () => Promise<StepOutput>,
    encryptMs: number,
    t0: number,
  ): Promise<EncryptedStepOutput> {
    const out = await run();
    const t1 = performance.now();
    const logits = this.client.decryptLogits(out.logits);
    const allLogits = this.client.decryptLogits(out.allLogits);
    const latencyMs = performance.now() - t0;
    return {
      ...out,
      logits,
      allLogits,
      latencyMs,
      serverMs: out.latencyMs,
      clientMs: encryptMs + (performance.now() - t1),
    };
  }

  /** Start new sequences from PLAIN prompts (left-padded with the plain `padTokenId`); plain logits. */
  async prefill(prompts: readonly (readonly number[])[], padTokenId = 0): Promise<EncryptedStepOutput> {
    const t0 = performance.now();
    const enc = prompts.map((p) => this.client.encryptIds(p.slice()));
    const pad = this.client.codec.encryptId(padTokenId);
    return this.step(() => this.session.prefill(enc, pad), performance.now() - t0, t0);
  }

  /** Append one PLAIN token per row; plain logits of the new position. */
  async decode(tokenIds: readonly number[]): Promise<EncryptedStepOutput> {
    const t0 = performance.now();
    const enc = this.client.encryptIds(tokenIds.slice());
    return this.step(() => this.session.decode(enc), performance.now() - t0, t0);
  }

  /** Generate from PLAIN prompts; the result is in plain ids and plain logits. */
  async generate(
    prompts: readonly (readonly number[])[],
    opts: EncryptedGenerateOptions,
  ): Promise<GenerateResult> {
    checkSamplingOptions(opts);
    return (opts.sampleOn ?? "server") === "server"
      ? this.generateOnServer(prompts, opts)
      : this.generateOnClient(prompts, opts);
  }

  private async generateOnServer(
    prompts: readonly (readonly number[])[],
    opts: EncryptedGenerateOptions,
  ): Promise<GenerateResult> {
    const start = performance.now();
    const c = this.client;
    const { sampleOn: _site, ...rest } = opts;
    // the plain runner's defaults, in plain ids, then encrypted
    const eosIds = opts.eosTokenIds ?? this.plainEosTokenIds;
    const pad = opts.padTokenId ?? eosIds[0] ?? 0;
    const res = await this.session.generate(
      prompts.map((p) => c.encryptIds(p.slice())),
      { ...rest, eosTokenIds: c.encryptIds(eosIds.slice()), padTokenId: c.codec.encryptId(pad) },
    );
    const sequences = res.sequences.map((s) => ({
      ...s,
      tokenIds: c.decryptIds(s.tokenIds),
      firstTokenLogits: c.decryptLogits(s.firstTokenLogits),
    }));
    return { ...res, sequences, totalMs: performance.now() - start };
  }

  private async generateOnClient(
    prompts: readonly (readonly number[])[],
    opts: EncryptedGenerateOptions,
  ): Promise<GenerateResult> {
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) {
      throw new Error(`generate: maxNewTokens must be an integer >= 1, got ${opts.maxNewTokens}`);
    }
    const start = performance.now();
    const eosIds = opts.eosTokenIds ?? this.plainEosTokenIds;
    const eos = new Set(eosIds);
    const pad = opts.padTokenId ?? eosIds[0] ?? 0;
    const greedy = (opts.temperature ?? 0) === 0;
    let rng: RandomSource | undefined = opts.rng;
    if (rng === undefined && !greedy) {
      if (opts.seed === undefined) throw new Error("generate: temperature > 0 needs `seed` or `rng`");
      rng = createRandom({ seed: opts.seed });
    }
    const B = prompts.length;
    const V = this.client.codec.vocabSize;
    const pick = (logits: Float32Array) =>
      Array.from({ length: B }, (_, b) => sampleToken(logits.subarray(b * V, (b + 1) * V), opts, rng));

    const pre = await this.prefill(prompts, pad);
    const promptLength = this.session.cacheLength;
    const first = pick(pre.logits);
    const timeToFirstTokenMs = performance.now() - start;
    const sequences = first.map((p, b) => ({
      tokenIds: [p.tokenId],
      firstTokenProb: p.prob,
      firstTokenLogits: pre.logits.slice(b * V, (b + 1) * V),
      finishReason: (eos.has(p.tokenId) ? "eos" : "length") as "eos" | "length",
    }));
    const done = sequences.map((s) => s.finishReason === "eos");
    const perTokenMs: number[] = [];
    for (let step = 1; step < opts.maxNewTokens && done.some((d) => !d); step++) {
      const t0 = performance.now();
      const out = await this.decode(
        sequences.map((s, b) => (done[b] ? pad : s.tokenIds[s.tokenIds.length - 1])),
      );
      pick(out.logits).forEach((p, b) => {
        if (done[b]) return;
        sequences[b].tokenIds.push(p.tokenId);
        if (eos.has(p.tokenId)) {
          done[b] = true;
          sequences[b].finishReason = "eos";
        }
      });
      perTokenMs.push(performance.now() - t0);
    }
    return { sequences, timeToFirstTokenMs, perTokenMs, totalMs: performance.now() - start, promptLength };
  }

  /** Release the cache and the session. */
  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

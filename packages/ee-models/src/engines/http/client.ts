/**
 * `EEHttpClient`: the paper's client over the wire, usable without the bench. It holds the key (and,
 * through the caller, the tokenizer); the server holds only the encrypted folder.
 *   plain ids → π(ids) → POST to the server → encrypted ids / logits back → π⁻¹ / label gather → plain
 * The key is checked before anything is sent: against the fingerprint the server publishes
 * (`ee serve`'s `/v1/models`), or against a local copy of the folder's `ee.json` (for vLLM and other
 * servers that publish nothing). With neither, `open` refuses unless `allowUnverifiedKey` is set.
 */
import { type EEKey, fingerprintKey, loadKey } from "ee-core";
import { EECodec } from "../../client/codec.js";
import { readManifest } from "../../encrypt/manifest.js";
import type { EngineSequence, FirstStep, IdSequences } from "../engine.js";
import { HttpEngine, type HttpGenerateResult } from "./engine.js";
import { httpSettings } from "./options.js";

/** Options of `EEHttpClient.open`. */
export interface EEHttpClientOptions {
  /** Base URL of the server (e.g. `http://127.0.0.1:8001`). */
  endpoint: string;
  /** The client's key file (secret; read here, never sent). */
  keyPath: string;
  /** A local copy of the encrypted folder (its `ee.json`, `config.json`), when the server publishes no fingerprint. */
  folder?: string;
  /** Send with an unchecked key (a wrong key then gives garbage, not an error); default false. */
  allowUnverifiedKey?: boolean;
  /** Requests in flight at once (requests); default 1. */
  concurrency?: number;
  /** Per-request timeout (ms); default 600 000. */
  timeoutMs?: number;
  /** Stream completions (default true). */
  stream?: boolean;
}

/** The decrypted result of `generate`. */
export interface EEHttpGenerateResult extends HttpGenerateResult {
  /** Plain token ids and first steps (ids decrypted; log-probabilities unchanged). */
  readonly sequences: readonly EngineSequence[];
}

/** An EE client talking to one server. */
export class EEHttpClient {
  /** How the key was checked. */
  readonly keyCheck: "server-fingerprint" | "local-manifest" | "unverified";

  private constructor(
    /** The engine it sends through. */
    readonly engine: HttpEngine,
    private readonly codec: EECodec,
    keyCheck: EEHttpClient["keyCheck"],
  ) {
    this.keyCheck = keyCheck;
  }

  /** Load the key, ask the server what it serves, check the key fits. */
  static async open(o: EEHttpClientOptions): Promise<EEHttpClient> {
    const key: EEKey = loadKey(o.keyPath);
    const extra: Record<string, string | number | boolean> = { endpoint: o.endpoint };
    if (o.concurrency !== undefined) extra.concurrency = o.concurrency;
    if (o.timeoutMs !== undefined) extra.timeoutMs = o.timeoutMs;
    if (o.stream !== undefined) extra.stream = o.stream;
    const engine = await HttpEngine.open(o.folder ?? "", httpSettings({ extra }));
    const fp = fingerprintKey(key);
    let check: EEHttpClient["keyCheck"];
    let expected: { keyFingerprint: string; scheme: string; architecture: string } | null = null;
    if (engine.facts.encryption) {
      expected = engine.facts.encryption;
      check = "server-fingerprint";
    } else if (o.folder) {
      expected = readManifest(o.folder);
      check = "local-manifest";
    } else if (o.allowUnverifiedKey) {
      check = "unverified";
    } else {
      throw new Error(
        `EEHttpClient: ${o.endpoint} publishes no key fingerprint; pass folder (a local copy of the encrypted folder's ee.json) or allowUnverifiedKey`,
      );
    }
    if (expected && expected.keyFingerprint !== fp)
      throw new Error(
        `EEHttpClient: key ${o.keyPath} (fingerprint ${fp.slice(0, 12)}…) is not the key the served model was encrypted with (${expected.keyFingerprint.slice(0, 12)}…)`,
      );
    return new EEHttpClient(engine, new EECodec(key), check);
  }

  /** Generate from plain prompts: encrypt, send, decrypt. `eosTokenIds` are plain ids. */
  async generate(
    prompts: IdSequences,
    o: { maxNewTokens: number; eosTokenIds?: readonly number[]; topK?: number },
  ): Promise<EEHttpGenerateResult> {
    const enc = prompts.map((p) => this.codec.encryptIds([...p]));
    const out = await this.engine.generate(enc, {
      maxNewTokens: o.maxNewTokens,
      eosTokenIds: o.eosTokenIds ? this.codec.encryptIds([...o.eosTokenIds]) : [],
      firstStep: o.topK === undefined ? "logits" : { topK: o.topK },
    });
    return {
      ...out,
      sequences: out.sequences.map((s) => ({
        tokenIds: this.codec.decryptIds([...s.tokenIds]),
        finishReason: s.finishReason,
        firstStep: this.decryptStep(s.firstStep),
      })),
    };
  }

  /** Classify plain token-id sequences: encrypt, send, decrypt the class logits `[B, L]`. */
  async classify(ids: IdSequences): Promise<{ logits: Float32Array; numLabels: number; latencyMs: number }> {
    const out = await this.engine.classify(ids.map((p) => this.codec.encryptIds([...p])));
    const L = out.logits.dims[1];
    return {
      logits: this.codec.decryptClassLogits(out.logits.data as Float32Array, L),
      numLabels: L,
      latencyMs: out.latencyMs,
    };
  }

  private decryptStep(f: FirstStep): FirstStep {
    if (f.kind === "topk") return { kind: "topk", ids: this.codec.decryptIds(f.ids), logprobs: f.logprobs };
    return { kind: "logits", logits: this.codec.decryptLogits(f.logits) };
  }

  /** Release the engine. */
  async close(): Promise<void> {
    await this.engine.close();
  }
}

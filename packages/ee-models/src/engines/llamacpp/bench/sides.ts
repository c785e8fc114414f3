/**
 * The sides a variants measurement compares, behind one shape: generate from one plain-id prompt and
 * return plain ids and plain-order first-step logits, the client's encryption and decryption included
 * for EE sides (DESIGN §6: EE time includes the client's work).
 */
import { EEClient } from "../../../client/client.js";
import { EncryptedCausalLM } from "../../../client/causal-lm.js";
import { CausalLMSession } from "../../../runner/generate.js";
import type { Engine } from "../../engine.js";
import { llamaCppEngine } from "../factory.js";

/** One generation, in plain ids. */
export interface SideOutput {
  /** New tokens (plain token ids). */
  readonly tokens: readonly number[];
  /** First-step logits in plain token order `[V]` (nats; llama.cpp: log-probabilities). */
  readonly firstLogits: Float32Array;
  /** Prefill plus choosing the first token (ms). */
  readonly ttftMs: number;
  /** Each later token (ms). */
  readonly perTokenMs: readonly number[];
  /** The whole call, client work included (ms). */
  readonly totalMs: number;
}

/** A runnable side (one engine on one folder, VI or EE). */
export interface Side {
  /** `"VI"` or `"EE"`. */
  readonly kind: "VI" | "EE";
  /** Generate `maxNewTokens` greedy tokens (no early stop). */
  generate(prompt: readonly number[], maxNewTokens: number): Promise<SideOutput>;
  /** Release the runtime. */
  close(): Promise<void>;
}

/** onnxruntime fp32 on a plain folder (`CausalLMSession`) or an encrypted one (`EncryptedCausalLM`). */
export async function ortSide(folder: string, keyPath: string | null, threads: number): Promise<Side> {
  const opts = { intraOpThreads: threads, interOpThreads: 1, allowSpinning: false };
  if (keyPath === null) {
    const s = await CausalLMSession.open(folder, opts);
    return {
      kind: "VI",
      async generate(prompt, n) {
        const r = await s.generate([prompt], { maxNewTokens: n, eosTokenIds: [] });
        const g = r.sequences[0];
        return {
          tokens: g.tokenIds,
          firstLogits: g.firstTokenLogits,
          ttftMs: r.timeToFirstTokenMs,
          perTokenMs: r.perTokenMs,
          totalMs: r.totalMs,
        };
      },
      close: () => s.dispose(),
    };
  }
  const s = await EncryptedCausalLM.open(folder, keyPath, opts);
  return {
    kind: "EE",
    async generate(prompt, n) {
      const r = await s.generate([prompt], { maxNewTokens: n, eosTokenIds: [] });
      const g = r.sequences[0];
      return {
        tokens: g.tokenIds,
        firstLogits: g.firstTokenLogits,
        ttftMs: r.timeToFirstTokenMs,
        perTokenMs: r.perTokenMs,
        totalMs: r.totalMs,
      };
    },
    close: () => s.dispose(),
  };
}

/** llama.cpp on `folder`'s `model-<type>.gguf` (exported when missing); EE encrypts and decrypts around it. */
export async function llamaCppSide(
  folder: string,
  keyPath: string | null,
  type: "f32" | "f16" | "q8_0",
  threads: number,
): Promise<Side> {
  const engine: Engine = await llamaCppEngine.open(folder, {
    threads,
    extra: { type, exportIfMissing: true, contextSize: 1024 },
  });
  const codec = keyPath === null ? null : EEClient.open(folder, keyPath).codec;
  return {
    kind: codec === null ? "VI" : "EE",
    async generate(prompt, n) {
      const t0 = performance.now();
      const ids = codec === null ? [...prompt] : codec.encryptIds([...prompt]);
      const r = await engine.generate([ids], { maxNewTokens: n });
      const s = r.sequences[0];
      if (s.firstStep.kind !== "logits") throw new Error("llamacpp side: expected first-step logits");
      const tokens = codec === null ? s.tokenIds : codec.decryptIds([...s.tokenIds]);
      const firstLogits = codec === null ? s.firstStep.logits : codec.decryptLogits(s.firstStep.logits);
      return {
        tokens,
        firstLogits,
        ttftMs: r.timeToFirstTokenMs,
        perTokenMs: r.perTokenMs,
        totalMs: performance.now() - t0,
      };
    },
    close: () => engine.close(),
  };
}

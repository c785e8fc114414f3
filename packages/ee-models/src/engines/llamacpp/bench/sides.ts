/**
 * The sides a variants measurement compares: a registered engine on the plain folder (VI), and the
 * same engine with the same options on the encrypted folder behind the EE client (`EncryptedEngine`:
 * the client's encryption and decryption are inside EE's time, docs/design.md §6). Each generates from one
 * plain-id prompt and returns plain ids and plain-order first-step logits.
 */
import { EncryptedEngine } from "../../../client/engine.js";
import type { Engine, EngineOptions } from "../../engine.js";
import { getEngine } from "../../registry.js";

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

function sideOf(kind: "VI" | "EE", engine: Engine): Side {
  return {
    kind,
    async generate(prompt, n) {
      const r = await engine.generate([prompt], { maxNewTokens: n, eosTokenIds: [] });
      const s = r.sequences[0];
      if (s.firstStep.kind !== "logits") throw new Error(`${engine.info.name}: expected first-step logits`);
      return {
        tokens: s.tokenIds,
        firstLogits: s.firstStep.logits,
        ttftMs: r.timeToFirstTokenMs,
        perTokenMs: r.perTokenMs,
        totalMs: r.totalMs,
      };
    },
    close: () => engine.close(),
  };
}

/** VI and EE sides of `engineName` with `opts` on the plain and encrypted folders. */
export async function openSides(
  engineName: string,
  plainDir: string,
  encDir: string,
  keyPath: string,
  opts: EngineOptions,
): Promise<[Side, Side]> {
  const factory = getEngine(engineName);
  const vi = await factory.open(plainDir, opts);
  try {
    const ee = await EncryptedEngine.open(factory, encDir, keyPath, opts);
    return [sideOf("VI", vi), sideOf("EE", ee)];
  } catch (e) {
    await vi.close();
    throw e;
  }
}

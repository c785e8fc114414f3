/**
 * EncryptedCausalLM over onnxruntime: generation with the KV cache kept server side, sampling on the
 * server (encrypted ids returned) or on the client, equals the plain run with the same seed.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EncryptedCausalLM, type SampleSite } from "../../src/client/causal-lm.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { writeModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import type { SamplingOptions } from "../../src/runner/sampling.js";
import { tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("client-causal-lm");
const PROMPTS = [
  [1, 17, 300, 42, 8, 99, 123],
  [1, 400, 3, 77],
  [1, 5, 6, 7, 8, 9],
];

const SAMPLERS: [string, SamplingOptions][] = [
  ["greedy", {}],
  ["temperature 0.9", { temperature: 0.9 }],
  ["top-k 20", { temperature: 1.2, topK: 20 }],
  ["top-p 0.8", { temperature: 0.8, topP: 0.8 }],
];

describe("EncryptedCausalLM.generate (full scheme)", () => {
  const { cfg, weights } = tinyLlama("client-generate", { eos_token_id: 2 });
  let vi: CausalLMSession;
  let ee: EncryptedCausalLM;
  beforeAll(async () => {
    await writeModelFolder(join(tmp.dir, "plain"), getArchitecture("llama"), cfg, weights, {
      build: { fused: false },
    });
    await encryptModelFolder(join(tmp.dir, "plain"), join(tmp.dir, "enc"), {
      keyPath: join(tmp.dir, "k.key"),
    });
    vi = await CausalLMSession.open(join(tmp.dir, "plain"));
    ee = await EncryptedCausalLM.open(join(tmp.dir, "enc"), join(tmp.dir, "k.key"));
  });
  afterAll(async () => {
    await vi?.dispose();
    await ee?.dispose();
    tmp.cleanup();
  });

  it("keeps the plain eos ids for the client and encrypted ones in the server's config", () => {
    expect(ee.plainEosTokenIds).toEqual([2]);
    expect(ee.serverEosTokenIds).toEqual([ee.client.codec.encryptId(2)]);
  });

  describe.each(["server", "client"] as SampleSite[])("sampling on the %s", (site) => {
    it.each(SAMPLERS)(
      "%s: decrypted ids equal the plain run's with the same seed",
      async (_name, sampling) => {
        const opts = { ...sampling, maxNewTokens: 12, seed: 1234, eosTokenIds: [] as number[] };
        const plain = await vi.generate(PROMPTS, opts);
        const enc = await ee.generate(PROMPTS, { ...opts, sampleOn: site });
        expect(enc.sequences.map((s) => s.tokenIds)).toEqual(plain.sequences.map((s) => s.tokenIds));
        enc.sequences.forEach((s, b) => {
          expect(s.firstTokenProb).toBeCloseTo(plain.sequences[b].firstTokenProb, 5);
          for (let t = 0; t < cfg.vocabSize; t++)
            expect(Math.abs(s.firstTokenLogits[t] - plain.sequences[b].firstTokenLogits[t])).toBeLessThan(
              1e-4,
            );
        });
        const distinct = new Set(plain.sequences.flatMap((s) => s.tokenIds));
        expect(distinct.size).toBeGreaterThan(3); // not a degenerate run
      },
    );
  });

  it("stops on the plain eos id when the encrypted model produces π(eos)", async () => {
    // Make the server's greedy choice eos: ask for the plain run's first token as the stop id.
    const plain = await vi.generate(PROMPTS, { maxNewTokens: 6, eosTokenIds: [] });
    const stop = plain.sequences[0].tokenIds[2];
    const a = await vi.generate(PROMPTS, { maxNewTokens: 6, eosTokenIds: [stop] });
    for (const site of ["server", "client"] as SampleSite[]) {
      const b = await ee.generate(PROMPTS, { maxNewTokens: 6, eosTokenIds: [stop], sampleOn: site });
      expect(b.sequences.map((s) => [s.tokenIds, s.finishReason])).toEqual(
        a.sequences.map((s) => [s.tokenIds, s.finishReason]),
      );
    }
    expect(a.sequences[0].finishReason).toBe("eos");
  });
});

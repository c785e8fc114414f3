/**
 * The `http` engine (ee-models) against `ee serve`'s server over real loopback HTTP, with the fake
 * engine behind it: what comes over the wire equals what the engine computes in process.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getEngine, HttpEngineError } from "ee-models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEServer } from "../src/index.js";
import { FAKE_EOS, FAKE_VOCAB, FakeEngine, fakeFolder } from "./fake-engine.js";

async function openHttp(url: string, extra: Record<string, string | number | boolean> = {}) {
  return getEngine("http").open("", { extra: { endpoint: url, ...extra } });
}

describe("http engine ↔ ee serve", () => {
  const folder = fakeFolder("generate");
  const inProcess = new FakeEngine();
  let server: EEServer;
  beforeAll(async () => {
    server = await EEServer.start(folder.dir, new FakeEngine(), { port: 0, maxConcurrency: 4 });
  });
  afterAll(async () => {
    await server.close();
    folder.cleanup();
  });

  it("learns the model's task and limits from /v1/models", async () => {
    const e = await openHttp(server.url);
    expect(e.task).toBe("generate");
    expect(e.outputSize).toBe(FAKE_VOCAB);
    expect(e.maxPositions).toBe(server.model.maxPositions);
  });

  for (const stream of [true, false])
    it(`generates what the engine generates in process (stream ${stream}, 3 concurrent requests)`, async () => {
      const prompts = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10], [11, 3]];
      const opts = { maxNewTokens: 6, eosTokenIds: [FAKE_EOS], firstStep: { topK: 4 } } as const;
      const e = await openHttp(server.url, { concurrency: 3, stream });
      const wire = await e.generate(prompts, opts);
      const local = await inProcess.generate(prompts, opts);
      wire.sequences.forEach((s, i) => {
        const l = local.sequences[i];
        expect(s.tokenIds).toEqual(l.tokenIds);
        expect(s.finishReason).toBe(l.finishReason);
        if (s.firstStep.kind !== "topk" || l.firstStep.kind !== "topk")
          throw new Error("expected top-k first steps");
        expect(Array.from(s.firstStep.ids)).toEqual(Array.from(l.firstStep.ids));
        s.firstStep.logprobs.forEach((v, j) => {
          expect(v).toBeCloseTo((l.firstStep as { logprobs: Float32Array }).logprobs[j], 5);
        });
      });
      expect(wire.requests).toHaveLength(prompts.length);
      for (const r of wire.requests) expect(r.tokens).toBeGreaterThan(0);
    });

  it("says which endpoint failed and why: a 4xx with the server's message, a refused connection, a timeout", async () => {
    const e = await openHttp(server.url);
    await expect(e.generate([[1, FAKE_VOCAB + 5]], { maxNewTokens: 2 })).rejects.toThrow(
      new RegExp(
        `POST ${server.url}/v1/completions: HTTP 400: prompt\\[1\\]: token id ${FAKE_VOCAB + 5} is outside`,
      ),
    );
    // a port with nothing listening: bind one, note it, close it
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const refused = openHttp(`http://127.0.0.1:${port}`);
    await expect(refused).rejects.toThrow(HttpEngineError);
    await expect(refused).rejects.toThrow(
      new RegExp(`GET http://127.0.0.1:${port}/v1/models: cannot reach the server: connection refused`),
    );
    const slowFolder = fakeFolder("generate");
    const slow = await EEServer.start(slowFolder.dir, new FakeEngine({ stepDelayMs: 200 }), { port: 0 });
    try {
      const s = await openHttp(slow.url, { timeoutMs: 100 });
      await expect(s.generate([[1, 2]], { maxNewTokens: 5 })).rejects.toThrow(/timeout/);
    } finally {
      await slow.close();
      slowFolder.cleanup();
    }
  });

  it("classifies over /classify with the engine's logits", async () => {
    const f = fakeFolder("classify");
    const local = new FakeEngine({ task: "classify" });
    const s = await EEServer.start(f.dir, new FakeEngine({ task: "classify" }), { port: 0 });
    try {
      const e = await openHttp(s.url, { classifyBatch: 2, concurrency: 2 });
      expect(e.task).toBe("classify");
      const ids = [[1, 2], [3, 4, 5], [6], [7, 8]];
      const wire = await e.classify(ids);
      const direct = await local.classify(ids);
      expect(wire.logits.dims).toEqual([4, 3]);
      wire.logits.data.forEach((v, i) => {
        expect(v).toBeCloseTo(direct.logits.data[i] as number, 6);
      });
    } finally {
      await s.close();
      f.cleanup();
    }
  });
});

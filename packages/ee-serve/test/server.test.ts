/** `EEServer` over real loopback HTTP with a deterministic fake engine: protocol, validation, limits. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EEServer } from "../src/index.js";
import {
  FAKE_EOS,
  FAKE_POSITIONS,
  FAKE_VOCAB,
  FakeEngine,
  fakeFolder,
  fakeGreedy,
  fakeLogits,
} from "./fake-engine.js";
import { type Json, postJson, postStream, streamedIds } from "./http-helpers.js";

/** A short prompt whose greedy continuation reaches the fake EOS within 12 tokens (searched, bounded). */
function promptHittingEos(): number[] {
  for (let a = 0; a < FAKE_VOCAB; a++)
    for (let b = 0; b < FAKE_VOCAB; b++) {
      const out = fakeGreedy([a, b], 12);
      const i = out.indexOf(FAKE_EOS);
      if (i >= 1) return [a, b];
    }
  throw new Error("no prompt reaches EOS: change the fake LM");
}

describe("EEServer: completions", () => {
  const folder = fakeFolder("generate");
  const engine = new FakeEngine();
  let server: EEServer;
  let url: string;
  beforeAll(async () => {
    server = await EEServer.start(folder.dir, engine, {
      port: 0,
      maxBodyBytes: 1 << 20,
      logRequests: join(folder.dir, "requests.jsonl"),
    });
    url = server.url;
  });
  afterAll(async () => {
    await server.close();
    folder.cleanup();
  });

  it("answers /health and /v1/models with the model's limits", async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const models = await (await fetch(`${url}/v1/models`)).json();
    expect(models.object).toBe("list");
    expect(models.data[0]).toMatchObject({ object: "model", max_model_len: FAKE_POSITIONS });
    expect(models.data[0].ee).toMatchObject({ task: "generate", vocab_size: FAKE_VOCAB, encryption: null });
  });

  it("generates the engine's greedy ids for a list of lists, one choice per prompt", async () => {
    const prompts = [[1, 2, 3], [4, 5], [9]];
    const { status, json } = await postJson(`${url}/v1/completions`, {
      prompt: prompts,
      max_tokens: 6,
      temperature: 0,
      ignore_eos: true,
      return_token_ids: true,
    });
    expect(status).toBe(200);
    expect(json.object).toBe("text_completion");
    expect(json.choices).toHaveLength(3);
    json.choices.forEach((c: Json, i: number) => {
      expect(c.index).toBe(i);
      expect(c.text).toBe("");
      expect(c.token_ids).toEqual(fakeGreedy(prompts[i], 6));
      expect(c.prompt_token_ids).toEqual(prompts[i]);
      expect(c.finish_reason).toBe("length");
    });
    expect(json.usage).toEqual({ prompt_tokens: 6, completion_tokens: 18, total_tokens: 24 });
  });

  it("streams the same ids, finish reasons and first-step logprobs as the JSON answer", async () => {
    const body = {
      prompt: [
        [3, 1, 4],
        [1, 5, 9, 2],
      ],
      max_tokens: 5,
      logprobs: 3,
      return_tokens_as_token_ids: true,
      return_token_ids: true,
    };
    const plain = await postJson(`${url}/v1/completions`, body);
    const streamed = await postStream(`${url}/v1/completions`, {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(streamed.status).toBe(200);
    expect(streamed.done).toBe(true);
    const ids = streamedIds(streamed.events, 2);
    expect(ids).toEqual(plain.json.choices.map((c: Json) => c.token_ids));
    for (let i = 0; i < 2; i++) {
      const chunks = streamed.events.filter((e) => e.choices?.[0]?.index === i).map((e) => e.choices[0]);
      expect(chunks.length).toBe(ids[i].length);
      expect(chunks.at(-1).finish_reason).toBe(plain.json.choices[i].finish_reason);
      expect(chunks.slice(0, -1).every((c: Json) => c.finish_reason === null)).toBe(true);
      expect(chunks[0].logprobs.top_logprobs[0]).toEqual(plain.json.choices[i].logprobs.top_logprobs[0]);
      expect(chunks.flatMap((c: Json) => c.logprobs.tokens)).toEqual(plain.json.choices[i].logprobs.tokens);
    }
    expect(streamed.events.at(-1).usage).toEqual(plain.json.usage);
  });

  it("names tokens token_id:N with return_tokens_as_token_ids; first-step log-probs match the logits", async () => {
    const prompt = [2, 7, 1, 8];
    const { json } = await postJson(`${url}/v1/completions`, {
      prompt,
      max_tokens: 3,
      logprobs: 2,
      ignore_eos: true,
      return_tokens_as_token_ids: true,
    });
    const lp = json.choices[0].logprobs;
    const expected = fakeGreedy(prompt, 3);
    expect(lp.tokens).toEqual(expected.map((t) => `token_id:${t}`));
    const logits = fakeLogits(prompt);
    const max = Math.max(...logits);
    const logZ = max + Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0));
    expect(lp.token_logprobs[0]).toBeCloseTo(logits[expected[0]] - logZ, 5);
    const keys = Object.keys(lp.top_logprobs[0]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(`token_id:${expected[0]}`);
    expect(lp.token_logprobs.slice(1)).toEqual([null, null]);
  });

  it("refuses logprobs without return_tokens_as_token_ids (no tokenizer to name tokens), as vLLM does without one", async () => {
    const { status, json } = await postJson(`${url}/v1/completions`, { prompt: [1, 2], logprobs: 1 });
    expect(status).toBe(400);
    expect(json.error.param).toBe("return_tokens_as_token_ids");
  });

  it("stops at the model's EOS with finish_reason stop, and runs to max_tokens with ignore_eos", async () => {
    const prompt = promptHittingEos();
    const untilEos = fakeGreedy(prompt, 12, [FAKE_EOS]);
    const stop = await postJson(`${url}/v1/completions`, { prompt, max_tokens: 12, return_token_ids: true });
    expect(stop.json.choices[0].token_ids).toEqual(untilEos);
    expect(stop.json.choices[0].finish_reason).toBe("stop");
    expect(stop.json.choices[0].stop_reason).toBeNull();
    const ignore = await postJson(`${url}/v1/completions`, {
      prompt,
      max_tokens: 12,
      ignore_eos: true,
      return_token_ids: true,
    });
    expect(ignore.json.choices[0].token_ids).toEqual(fakeGreedy(prompt, 12));
    expect(ignore.json.choices[0].token_ids.length).toBe(12);
    expect(ignore.json.choices[0].finish_reason).toBe("length");
    // stop_token_ids still stop with ignore_eos, and name the token in stop_reason
    const stopTok = await postJson(`${url}/v1/completions`, {
      prompt,
      max_tokens: 12,
      ignore_eos: true,
      stop_token_ids: [FAKE_EOS],
      return_token_ids: true,
    });
    expect(stopTok.json.choices[0].token_ids).toEqual(untilEos);
    expect(stopTok.json.choices[0].stop_reason).toBe(FAKE_EOS);
  });

  it("answers bad requests with 4xx OpenAI-shaped errors and keeps serving", async () => {
    const bad: [unknown, number, string][] = [
      [{ prompt: "hello" }, 400, "prompt"],
      [{ prompt: [1, "2"] }, 400, "prompt"],
      [
        {
          prompt: [
            [1, 2],
            [3, 2.5],
          ],
        },
        400,
        "prompt[1][1]",
      ],
      [{ prompt: [1, FAKE_VOCAB] }, 400, "prompt[1]"],
      [{ prompt: [1, -1] }, 400, "prompt[1]"],
      [{ prompt: [] }, 400, "prompt"],
      [{ prompt: [1], max_tokens: "5" }, 400, "max_tokens"],
      [{ prompt: [1], max_tokens: 10_000_000 }, 400, "max_tokens"],
      [{ prompt: [1, 2, 3], max_tokens: FAKE_POSITIONS - 2 }, 400, "max_tokens"],
      [{ prompt: [1], temperature: 0.7 }, 400, "temperature"],
      [{ prompt: [1], top_p: 0.9 }, 400, "top_p"],
      [{ prompt: [1], stream: "yes" }, 400, "stream"],
      [{ prompt: [1], logprobs: 99, return_tokens_as_token_ids: true }, 400, "logprobs"],
      [{ prompt: [1], model: "other" }, 404, "model"],
      [[1, 2, 3], 400, ""],
      ["{not json", 400, ""],
      ["", 400, ""],
    ];
    for (const [body, status, param] of bad) {
      const r = await postJson(`${url}/v1/completions`, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(typeof r.json.error.message).toBe("string");
      expect(r.json.error.message.length).toBeGreaterThan(5);
      expect(r.json.error.code).toBe(status);
      if (param) expect(r.json.error.param).toBe(param);
    }
    const big = await postJson(`${url}/v1/completions`, { prompt: Array(3_000_000).fill(1) });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toMatch(/exceeds/);
    expect((await fetch(`${url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${url}/v1/completions`)).status).toBe(405);
    const ok = await postJson(`${url}/v1/completions`, {
      prompt: [1, 2],
      max_tokens: 2,
      return_token_ids: true,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.choices[0].token_ids).toEqual(fakeGreedy([1, 2], 2, [FAKE_EOS]));
  });

  it("logs what it saw, one JSON line per request: ids in and out, lengths, timings", async () => {
    await postJson(`${url}/v1/completions`, { prompt: [[11, 12, 13]], max_tokens: 2, ignore_eos: true });
    // the line is appended after the answer went out: wait for it (bounded: 100 × 50 ms)
    const read = () =>
      readFileSync(join(folder.dir, "requests.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    const mine = (l: Json) => JSON.stringify(l.promptTokenIds) === "[[11,12,13]]";
    let lines = read();
    for (let i = 0; i < 100 && !lines.some(mine); i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = read();
    }
    const e = lines.find(mine);
    expect(e).toMatchObject({ route: "POST /v1/completions", status: 200, promptLengths: [3] });
    expect(e.outputTokenIds).toEqual([fakeGreedy([11, 12, 13], 2)]);
    expect(e.totalMs).toBeGreaterThanOrEqual(0);
    expect(lines.some((l) => l.status === 413)).toBe(true);
  });
});

describe("EEServer: queue, batching, shutdown", () => {
  it("batches concurrent prompts, answers 429 beyond the queue, and each result matches its prompt", async () => {
    const folder = fakeFolder("generate");
    const engine = new FakeEngine({ stepDelayMs: 20 });
    const server = await EEServer.start(folder.dir, engine, { port: 0, maxConcurrency: 4, maxQueue: 6 });
    try {
      const prompts = Array.from({ length: 12 }, (_, i) => [i + 1, i + 2]);
      const answers = await Promise.all(
        prompts.map((p) =>
          postJson(`${server.url}/v1/completions`, {
            prompt: p,
            max_tokens: 3,
            ignore_eos: true,
            return_token_ids: true,
          }),
        ),
      );
      const ok = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 429);
      expect(ok.length + busy.length).toBe(12);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy[0].json.error.type).toBe("TooManyRequestsError");
      answers.forEach((a, i) => {
        if (a.status === 200) expect(a.json.choices[0].token_ids).toEqual(fakeGreedy(prompts[i], 3));
      });
      expect(Math.max(...engine.calls)).toBeGreaterThan(1);
      expect(Math.max(...engine.calls)).toBeLessThanOrEqual(4);
    } finally {
      await server.close();
      folder.cleanup();
    }
  });

  it("keeps serving after a client drops a stream midway", async () => {
    const folder = fakeFolder("generate");
    const server = await EEServer.start(folder.dir, new FakeEngine({ stepDelayMs: 20 }), { port: 0 });
    try {
      const abort = new AbortController();
      const res = await fetch(`${server.url}/v1/completions`, {
        method: "POST",
        body: JSON.stringify({ prompt: [1, 2], max_tokens: 20, ignore_eos: true, stream: true }),
        signal: abort.signal,
      });
      const reader = res.body?.getReader();
      await reader?.read(); // the first chunk
      abort.abort();
      const ok = await postJson(`${server.url}/v1/completions`, {
        prompt: [3, 4],
        max_tokens: 2,
        ignore_eos: true,
        return_token_ids: true,
      });
      expect(ok.status).toBe(200);
      expect(ok.json.choices[0].token_ids).toEqual(fakeGreedy([3, 4], 2));
    } finally {
      await server.close();
      folder.cleanup();
    }
  });

  it("streams all at the end when the engine reports no steps, with the same ids", async () => {
    const folder = fakeFolder("generate");
    const server = await EEServer.start(folder.dir, new FakeEngine({ reportSteps: false }), { port: 0 });
    try {
      const body = {
        prompt: [5, 6, 7],
        max_tokens: 4,
        ignore_eos: true,
        logprobs: 1,
        return_tokens_as_token_ids: true,
        return_token_ids: true,
      };
      const s = await postStream(`${server.url}/v1/completions`, { ...body, stream: true });
      expect(streamedIds(s.events, 1)[0]).toEqual(fakeGreedy([5, 6, 7], 4));
      expect(s.events[0].choices[0].logprobs.top_logprobs[0]).not.toBeNull();
      expect(s.done).toBe(true);
    } finally {
      await server.close();
      folder.cleanup();
    }
  });

  it("shuts down gracefully: a running request finishes, new ones are refused, the engine is closed", async () => {
    const folder = fakeFolder("generate");
    const engine = new FakeEngine({ stepDelayMs: 30 });
    const server = await EEServer.start(folder.dir, engine, { port: 0 }, true);
    const url = server.url;
    const running = postJson(`${url}/v1/completions`, {
      prompt: [1, 2],
      max_tokens: 8,
      ignore_eos: true,
      return_token_ids: true,
    });
    // wait (bounded: 250 × 20 ms) until the engine runs it, then close
    for (let i = 0; i < 250 && engine.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(engine.calls.length).toBe(1);
    const closing = server.close();
    const r = await running;
    expect(r.status).toBe(200);
    expect(r.json.choices[0].token_ids).toEqual(fakeGreedy([1, 2], 8));
    await closing;
    expect(engine.closed).toBe(true);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    folder.cleanup();
  });
});

describe("EEServer: classification", () => {
  it("returns logits and probabilities over the folder's labels for token-id inputs", async () => {
    const folder = fakeFolder("classify", {
      scheme: "full",
      architecture: "bert",
      keyFingerprint: "ab".repeat(32),
    });
    const engine = new FakeEngine({ task: "classify" });
    const server = await EEServer.start(folder.dir, engine, { port: 0 });
    try {
      const inputs = [
        [1, 2, 3],
        [4, 5],
      ];
      const { status, json } = await postJson(`${server.url}/classify`, { input: inputs });
      expect(status).toBe(200);
      const direct = await engine.classify(inputs);
      json.data.forEach((d: Json, i: number) => {
        expect(d.num_classes).toBe(3);
        d.logits.forEach((v: number, l: number) => {
          expect(v).toBeCloseTo(direct.logits.data[i * 3 + l], 6);
        });
        expect(d.probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
        expect(["a", "b", "c"]).toContain(d.label);
      });
      const card = (await (await fetch(`${server.url}/v1/models`)).json()).data[0];
      expect(card.ee.encryption).toEqual({
        scheme: "full",
        architecture: "bert",
        keyFingerprint: "ab".repeat(32),
      });
      expect((await postJson(`${server.url}/v1/completions`, { prompt: [1] })).status).toBe(400);
      expect((await postJson(`${server.url}/v1/classify`, { input: [[1, 99]] })).status).toBe(400);
    } finally {
      await server.close();
      folder.cleanup();
    }
  });
});

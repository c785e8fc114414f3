import { AutoTokenizer } from "@huggingface/transformers";
import type { StateDict } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { writeModelFolder } from "../../src/folder.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { inferLlama } from "../../src/llama/infer.js";
import { LLAMA_EMBED } from "../../src/llama/weights.js";
import { LlamaTokenizer, llamaTokenizerFiles } from "../../src/tokenizers/llama.js";
import { tempDir, testDataDir, tinyConfig, tinyWeights } from "./helpers.js";

const dataDir = testDataDir();

describe("inferLlama on a tiny model with the real Llama 3.1 vocabulary", () => {
  // tied head keeps the 128256 × 64 vocabulary matrix single (33 MB)
  const cfg = tinyConfig({
    vocab_size: 128256,
    tie_word_embeddings: true,
    bos_token_id: 128000,
    eos_token_id: [128001, 128008, 128009],
  });
  const t = tempDir("llama-infer");

  /** Seeded weights of llama-tiny with its 512-row embedding tiled to 128256 rows (cheap to draw). */
  function weights(): StateDict {
    const w = tinyWeights(tinyConfig({ tie_word_embeddings: true }), 2);
    const e = w.get(LLAMA_EMBED)?.data as Float32Array;
    const big = new Float32Array(cfg.vocabSize * cfg.hiddenSize);
    for (let off = 0; off < big.length; off += e.length)
      big.set(e.subarray(0, Math.min(e.length, big.length - off)), off);
    w.set(LLAMA_EMBED, { dtype: "F32", shape: [cfg.vocabSize, cfg.hiddenSize], data: big });
    return w;
  }

  beforeAll(async () => {
    await writeModelFolder(t.dir, llamaArchitecture, cfg, weights(), {
      build: { fused: false },
      saveWeights: false,
      tokenizer: llamaTokenizerFiles(dataDir),
    });
  });
  afterAll(() => t.cleanup());

  it("templates the prompt, generates greedily and decodes", async () => {
    const question = "What is the capital of France?";
    const a = await inferLlama(t.dir, question, { maxNewTokens: 5 });
    const tok = LlamaTokenizer.fromFolder(t.dir);
    const prompt = tok.applyChatTemplate([{ role: "user", content: question }]);
    expect(a.promptTokens).toBe(prompt.length);
    expect(a.text).toBe(tok.decode(a.tokenIds));
    // the same as greedy generation on the templated ids
    const s = await CausalLMSession.open(t.dir);
    try {
      const g = await s.generate([prompt], { maxNewTokens: 5 });
      expect(a.tokenIds).toEqual(g.sequences[0].tokenIds);
      expect(a.firstTokenProb).toBeCloseTo(g.sequences[0].firstTokenProb, 6);
    } finally {
      await s.dispose();
    }
  });

  it("writes tokenizer files that transformers.js loads with the same chat template ids", async () => {
    const theirs = await AutoTokenizer.from_pretrained(t.dir, { local_files_only: true });
    const messages = [{ role: "user" as const, content: "Hello there!" }];
    const ids = theirs.apply_chat_template(messages, {
      add_generation_prompt: true,
      tokenize: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
    expect(ids).toEqual(LlamaTokenizer.fromFolder(t.dir).applyChatTemplate(messages));
  });

  it("errors naming the tokenizer file of a folder without one", async () => {
    await expect(inferLlama("/nonexistent-model", "hi")).rejects.toThrow(
      /\/nonexistent-model\/tokenizer\.json: tokenizer\.json not found/,
    );
  });
});

import { existsSync } from "node:fs";
import { join } from "node:path";
import { AutoTokenizer } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeModelFolder } from "../../src/folder.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { inferLlama } from "../../src/llama/infer.js";
import { LLAMA31_TOKENIZER_CONFIG, LlamaTokenizer, llamaTokenizerFiles } from "../../src/tokenizers/llama.js";
import { tempDir, testDataDir, tinyConfig, tinyWeights } from "./helpers.js";

const dataDir = testDataDir();
const hasData = existsSync(join(dataDir, LLAMA31_TOKENIZER_CONFIG));

describe.runIf(hasData)("inferLlama on a tiny model with the real Llama 3.1 vocabulary", () => {
  // tied head keeps the 128256 × 64 vocabulary matrix single (33 MB)
  const cfg = tinyConfig({ vocab_size: 128256, tie_word_embeddings: true, bos_token_id: 128000, eos_token_id: [128001, 128008, 128009] });
  const t = tempDir("llama-infer");

  beforeAll(async () => {
    await writeModelFolder(t.dir, llamaArchitecture, cfg, tinyWeights(cfg, 2), {
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
    expect(a.promptTokens).toBe(tok.applyChatTemplate([{ role: "user", content: question }]).length);
    expect(a.tokenIds.length).toBeGreaterThan(0);
    expect(a.tokenIds.length).toBeLessThanOrEqual(5);
    expect(a.text).toBe(tok.decode(a.tokenIds));
    expect(a.firstTokenProb).toBeGreaterThan(0);
    const b = await inferLlama(t.dir, question, { maxNewTokens: 5 });
    expect(b.tokenIds).toEqual(a.tokenIds);
  });

  it("writes tokenizer files that transformers.js loads with the same chat template ids", async () => {
    const theirs = await AutoTokenizer.from_pretrained(t.dir, { local_files_only: true });
    const messages = [{ role: "user" as const, content: "Hello there!" }];
    const ids = theirs.apply_chat_template(messages, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as number[];
    expect(ids).toEqual(LlamaTokenizer.fromFolder(t.dir).applyChatTemplate(messages));
  });

  it("errors naming the tokenizer file of a folder without one", async () => {
    await expect(inferLlama("/nonexistent-model", "hi")).rejects.toThrow(/\/nonexistent-model\/tokenizer\.json: tokenizer\.json not found/);
  });
});

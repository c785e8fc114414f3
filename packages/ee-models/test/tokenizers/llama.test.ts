import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LlamaTokenizer, llamaTokenizerFiles } from "../../src/tokenizers/llama.js";
import { testDataDir } from "../llama/helpers.js";

const dataDir = testDataDir();

/** First turn of MT-Bench question 81 (read from the data mirror). */
function mtBenchFirstQuestion(): string {
  const line = readFileSync(join(dataDir, "mt_bench/question.jsonl"), "utf8").split("\n")[0];
  return (JSON.parse(line) as { turns: string[] }).turns[0];
}

const count = (ids: number[], id: number) => ids.filter((x) => x === id).length;

describe("Llama 3.1 tokenizer", () => {
  const tok = LlamaTokenizer.fromDataDir(dataDir);

  it("knows the special tokens of Llama 3.1", () => {
    expect(tok.tokenId("<|begin_of_text|>")).toBe(128000);
    expect(tok.tokenId("<|start_header_id|>")).toBe(128006);
    expect(tok.tokenId("<|end_header_id|>")).toBe(128007);
    expect(tok.tokenId("<|eot_id|>")).toBe(128009);
    expect(() => tok.tokenId("<|no_such_token|>")).toThrow(/unknown token/);
  });

  it("encodes and decodes text round trip", () => {
    const text = "Hello, my dog is cute. Ünïcödé ✓ 12345";
    const ids = tok.encode(text);
    expect(ids[0]).not.toBe(128000);
    expect(tok.encode(text, true)[0]).toBe(128000);
    expect(tok.decode(ids)).toBe(text);
  });

  it("applies the official chat template to an MT-Bench question", () => {
    const question = mtBenchFirstQuestion();
    const ids = tok.applyChatTemplate([{ role: "user", content: question }]);
    expect(ids[0]).toBe(128000);
    expect(count(ids, 128000)).toBe(1); // the template's own BOS, not a second one
    expect(count(ids, 128006)).toBe(3); // system, user, assistant headers
    expect(count(ids, 128007)).toBe(3);
    expect(count(ids, 128009)).toBe(2); // end of the system and the user turn
    // ends with the generation prompt: <|start_header_id|>assistant<|end_header_id|>\n\n
    expect(ids.slice(-4)).toEqual([128006, tok.encode("assistant")[0], 128007, tok.encode("\n\n")[0]]);
    // the question's own tokens appear contiguously
    const q = tok.encode(question);
    const at = ids.findIndex((_, i) => q.every((x, j) => ids[i + j] === x));
    expect(at).toBeGreaterThan(0);
    expect(tok.decode(ids, true)).toBe(tok.renderChat([{ role: "user", content: question }]));
    expect(tok.renderChat([{ role: "user", content: question }])).toContain(
      "<|start_header_id|>user<|end_header_id|>\n\n",
    );
  });

  it("gives the files a plain model folder carries", () => {
    const files = llamaTokenizerFiles(dataDir);
    expect(files.files.map((f) => f.name)).toEqual(["tokenizer.json", "tokenizer_config.json"]);
    expect(JSON.parse(files.files[1].data as string).chat_template).toBe(tok.chatTemplate);
  });
});

describe("Llama 3.1 tokenizer errors", () => {
  it("names the missing tokenizer_config.json path", () => {
    expect(() => LlamaTokenizer.fromDataDir("/nonexistent-data")).toThrow(
      /\/nonexistent-data\/model_files\/llama-3\.1-8b-instruct\/tokenizer_config\.json: tokenizer_config\.json not found/,
    );
    expect(() => llamaTokenizerFiles("/nonexistent-data")).toThrow(
      /\/nonexistent-data\/model_files\/llama-3\.1-8b-instruct\/tokenizer_config\.json/,
    );
  });
});

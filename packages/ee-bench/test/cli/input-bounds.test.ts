/**
 * `ee infer`'s prompt bounds: the issue's 100k-character prompt on llama-3.1-mini (≈ 25,000 tokens)
 * needs more memory than a 24 GB machine has, so it is refused before allocation; short prompts pass.
 */
import { getPreset, parseLlamaConfig } from "ee-models";
import { afterEach, describe, expect, it } from "vitest";
import { checkPromptSize, parseIds, prefillBytes } from "../../src/cli/input-bounds.js";

const mini = parseLlamaConfig(getPreset("llama-3.1-mini").config, "llama-3.1-mini");
const GIB = 1024 ** 3;

afterEach(() => {
  delete process.env.EE_INFER_MAX_GIB;
});

describe("prompt bounds", () => {
  it("25,000 tokens on llama-3.1-mini need over 24 GiB (the OOM of the issue); 100 tokens well under 1 GiB", () => {
    expect(prefillBytes(mini, 25_000)).toBeGreaterThan(24 * GIB);
    expect(prefillBytes(mini, 100)).toBeLessThan(GIB);
  });

  it("refuses above the bound naming estimate and bound; accepts below", () => {
    process.env.EE_INFER_MAX_GIB = "12";
    expect(() => checkPromptSize(mini, 25_000, 32, "models/mini")).toThrow(
      /^models\/mini: prompt of 25000 tokens needs about \d+\.\d GiB to run .*; the bound is 12\.0 GiB \(EE_INFER_MAX_GIB\); shorten the text$/,
    );
    expect(() => checkPromptSize(mini, 100, 32, "models/mini")).not.toThrow();
  });

  it("refuses a prompt beyond the model's positions and a bad bound setting", () => {
    expect(() => checkPromptSize(mini, mini.maxPositionEmbeddings, 1, "m")).toThrow(
      /exceeds the model's \d+ positions/,
    );
    process.env.EE_INFER_MAX_GIB = "-1";
    expect(() => checkPromptSize(mini, 10, 1, "m")).toThrow(
      'EE_INFER_MAX_GIB must be a positive number, got "-1"',
    );
  });

  it("parses ids and refuses malformed or out-of-vocabulary ones", () => {
    expect(parseIds("1, 2,3", 10)).toEqual([1, 2, 3]);
    expect(() => parseIds("1,,2", 10)).toThrow("--ids must be comma-separated token ids");
    expect(() => parseIds("1,x", 10)).toThrow('--ids: "x" is not a token id of this model (integers 0..9)');
    expect(() => parseIds("10", 10)).toThrow('"10" is not a token id');
  });
});

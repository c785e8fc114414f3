/**
 * inferEncrypted against the plain infer on real-vocabulary tiny models with their real tokenizers:
 * bert-tiny (bert-base-uncased vocabulary) and a 1-layer Llama with the 128,256-token Llama 3.1
 * vocabulary. Same result, same printable form; the tokenizer named in ee.json is found on its own.
 */
import { join } from "node:path";
import { createRandom } from "ee-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferEncrypted } from "../../src/client/infer.js";
import { encryptModelFolder } from "../../src/encrypt/folder.js";
import { readManifest } from "../../src/encrypt/manifest.js";
import { writeModelFolder } from "../../src/folder.js";
import { inferLlama } from "../../src/llama/infer.js";
import { getPreset } from "../../src/presets.js";
import { getArchitecture } from "../../src/registry.js";
import { inferClassifier } from "../../src/runner/infer-classifier.js";
import { getTokenizerSource } from "../../src/tokenizers/registry.js";
import type { BertConfig } from "../../src/types.js";
import { randomiseAll, tinyLlama } from "../encrypt/helpers.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("client-infer");
const p = (n: string) => join(tmp.dir, n);
afterAll(() => tmp.cleanup());
const TEXT = "A quiet, beautifully acted film whose last act falls apart.";
const noTime = (s: string) => s.replace(/[\d.]+ ms/, "_ ms");

describe("inferEncrypted, bert-tiny with the bert-base-uncased tokenizer", () => {
  beforeAll(async () => {
    const preset = getPreset("bert-tiny");
    const arch = getArchitecture<BertConfig>("bert");
    const cfg = arch.parseConfig(preset.config, preset.name);
    const weights = randomiseAll(
      arch.syntheticWeights(cfg, createRandom({ seed: "infer-bert" })),
      createRandom({ seed: "n" }),
    );
    await writeModelFolder(p("bert"), arch, cfg, weights, {
      build: { fused: false },
      tokenizer: getTokenizerSource("bert-base-uncased").files(),
    });
    await encryptModelFolder(p("bert"), p("bert-enc"), { keyPath: p("bert.key"), preset: "bert-tiny" });
  });

  it("prints what the plain infer prints", async () => {
    expect(readManifest(p("bert-enc")).tokenizer).toBe("bert-base-uncased"); // detected from the plain folder
    expect(readManifest(p("bert-enc")).preset).toBe("bert-tiny");
    const plain = await inferClassifier(p("bert"), TEXT);
    const enc = await inferEncrypted(p("bert-enc"), p("bert.key"), TEXT);
    expect(enc.task).toBe("sequence-classification");
    if (enc.task !== "sequence-classification") return;
    expect(enc.result.label).toBe(plain.label);
    expect(enc.result.result.numTokens).toBe(plain.result.numTokens);
    for (const [l, v] of Object.entries(plain.probs)) expect(enc.result.probs[l]).toBeCloseTo(v, 5);
    expect(noTime(enc.result.printable)).toBe(noTime(plain.printable));
  });
});

describe("inferEncrypted, a 1-layer Llama with the Llama 3.1 tokenizer and vocabulary", () => {
  beforeAll(async () => {
    const { cfg, weights } = tinyLlama("infer-llama", {
      vocab_size: 128256,
      hidden_size: 16,
      intermediate_size: 40,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      head_dim: 8,
      bos_token_id: 128000,
      eos_token_id: [128001, 128009],
    });
    await writeModelFolder(p("llama"), getArchitecture("llama"), cfg, weights, {
      build: { fused: false },
      tokenizer: getTokenizerSource("llama-3.1").files(),
    });
    await encryptModelFolder(p("llama"), p("llama-enc"), { keyPath: p("llama.key"), tokenizer: "llama-3.1" });
  });

  it("generates the plain infer's tokens and text", async () => {
    const plain = await inferLlama(p("llama"), "Name three rivers.", { maxNewTokens: 8 });
    // the client's tokenizer from the plain folder (same files as ee.json's "llama-3.1", loaded once)
    const enc = await inferEncrypted(p("llama-enc"), p("llama.key"), "Name three rivers.", {
      maxNewTokens: 8,
      tokenizerDir: p("llama"),
    });
    expect(enc.task).toBe("causal-lm");
    if (enc.task !== "causal-lm") return;
    expect(enc.result.tokenIds).toEqual(plain.tokenIds);
    expect(enc.result.text).toBe(plain.text);
    expect(enc.result.promptTokens).toBe(plain.promptTokens);
    expect(enc.result.firstTokenProb).toBeCloseTo(plain.firstTokenProb, 5);
  });
});

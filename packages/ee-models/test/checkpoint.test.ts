import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type StateDict, writeSafetensors } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../src/bert/architecture.js";
import { lazyCheckpoint, loadCheckpoint } from "../src/checkpoint.js";
import { llamaArchitecture } from "../src/llama/architecture.js";
import { seeded, tempDir, tinyEncoderJson } from "./fixtures.js";
import { tinyConfig, tinyWeights } from "./llama/helpers.js";

const tmp = tempDir("checkpoint");
afterAll(() => tmp.cleanup());

const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny bert");
const weights = bertArchitecture.syntheticWeights(cfg, seeded("checkpoint"));

function save(name: string, sd: StateDict): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, "model.safetensors"), sd);
  return dir;
}

describe("loadCheckpoint", () => {
  it("round-trips an F32 checkpoint, ignoring HF's position_ids buffer", () => {
    const sd = new Map(weights);
    sd.set("bert.embeddings.position_ids", {
      dtype: "I64",
      shape: [1, cfg.maxPositionEmbeddings],
      data: new BigInt64Array(cfg.maxPositionEmbeddings),
    });
    const loaded = loadCheckpoint(save("f32", sd), bertArchitecture, cfg);
    expect([...loaded.keys()]).toEqual([...bertArchitecture.tensorShapes(cfg).keys()]);
    const name = "bert.encoder.layer.1.intermediate.dense.weight";
    expect(Array.from(loaded.get(name)!.data as Float32Array)).toEqual(
      Array.from(weights.get(name)!.data as Float32Array),
    );
  });

  it("widens an F16 checkpoint to F32", () => {
    const f16: StateDict = new Map([...weights].map(([n, t]) => [n, { ...t, dtype: "F16" as const }]));
    const loaded = loadCheckpoint(save("f16", f16), bertArchitecture, cfg);
    const t = loaded.get("classifier.weight")!;
    expect(t.dtype).toBe("F32");
    const src = weights.get("classifier.weight")!.data;
    // fp16 has an 11-bit significand: relative error ≤ 2⁻¹¹.
    for (let i = 0; i < src.length; i++)
      expect(Math.abs((t.data[i] as number) - (src[i] as number))).toBeLessThanOrEqual(
        Math.abs(src[i] as number) * 2 ** -11 + 1e-7,
      );
  });

  it("reads a sharded checkpoint through its index", () => {
    const dir = join(tmp.dir, "sharded");
    mkdirSync(dir, { recursive: true });
    const names = [...weights.keys()];
    const half = Math.floor(names.length / 2);
    const shards = [names.slice(0, half), names.slice(half)];
    const weightMap: Record<string, string> = {};
    shards.forEach((part, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(join(dir, file), new Map(part.map((n) => [n, weights.get(n)!])));
      for (const n of part) weightMap[n] = file;
    });
    writeFileSync(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
    );
    const loaded = loadCheckpoint(dir, bertArchitecture, cfg);
    expect(loaded.size).toBe(weights.size);
    const last = names[names.length - 1];
    expect(Array.from(loaded.get(last)!.data as Float32Array)).toEqual(
      Array.from(weights.get(last)!.data as Float32Array),
    );
  });

  it("names missing, unexpected and mis-shaped tensors in one error with the directory", () => {
    const sd = new Map(weights);
    sd.delete("classifier.bias");
    sd.delete("bert.pooler.dense.weight");
    sd.set("bert.encoder.layer.0.adapter.bias", {
      dtype: "F32",
      shape: [cfg.vocabSize],
      data: new Float32Array(cfg.vocabSize),
    });
    sd.set("bert.embeddings.LayerNorm.weight", {
      dtype: "F32",
      shape: [cfg.hiddenSize + 1],
      data: new Float32Array(cfg.hiddenSize + 1),
    });
    const dir = save("bad", sd);
    expect(() => loadCheckpoint(dir, bertArchitecture, cfg)).toThrow(
      `checkpoint ${dir} does not fit BertForSequenceClassification with this config: ` +
        "2 missing: bert.pooler.dense.weight, classifier.bias; 1 unexpected: bert.encoder.layer.0.adapter.bias; " +
        `1 mis-shaped: bert.embeddings.LayerNorm.weight [${cfg.hiddenSize + 1}] (expected [${cfg.hiddenSize}])`,
    );
  });

  it("lists the first five of many missing tensors and the count", () => {
    const sd: StateDict = new Map([...weights].filter(([n]) => !n.includes("layer.1.")));
    expect(() => loadCheckpoint(save("many", sd), bertArchitecture, cfg)).toThrow(
      /16 missing: bert\.encoder\.layer\.1\.[^;]* … and 11 more/,
    );
  });

  it("names a directory without a checkpoint", () => {
    expect(() => loadCheckpoint(join(tmp.dir, "nothing"), bertArchitecture, cfg)).toThrow(
      /nothing: neither model.safetensors.index.json nor model.safetensors found/,
    );
  });
});

describe("lazyCheckpoint", () => {
  it("gives the loaded tensors, reading each when its data is touched and keeping only the last", () => {
    const dir = save("lazy", weights);
    const loaded = loadCheckpoint(dir, bertArchitecture, cfg);
    const lazy = lazyCheckpoint(dir, bertArchitecture, cfg);
    try {
      expect([...lazy.weights.keys()]).toEqual([...loaded.keys()]);
      for (const [name, t] of loaded) {
        const l = lazy.weights.get(name)!;
        expect(l.shape, name).toEqual(t.shape);
        expect(l.dtype, name).toBe("F32");
        expect(l.data, name).toEqual(t.data);
      }
      const [a, b] = [...lazy.weights.values()];
      const first = a.data;
      expect(a.data).toBe(first); // the last tensor read is kept: no second read
      expect(b.data.length).toBeGreaterThan(0);
      expect(a.data).not.toBe(first); // another tensor was read in between: read again
      expect(a.data).toEqual(first);
    } finally {
      lazy.close();
    }
  });
});

describe("loadCheckpoint loads what Hugging Face loads", () => {
  const quiet = { warn: () => {} };

  it("maps LayerNorm.gamma/beta to weight/bias and skips cls.* and position_ids with ONE warning line", () => {
    const sd: StateDict = new Map();
    for (const [n, t] of weights)
      sd.set(
        n.replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(/LayerNorm\.bias$/, "LayerNorm.beta"),
        t,
      );
    sd.set("cls.predictions.transform.dense.weight", weights.get("bert.pooler.dense.weight")!);
    sd.set("cls.predictions.bias", {
      dtype: "F32",
      shape: [cfg.vocabSize],
      data: new Float32Array(cfg.vocabSize),
    });
    sd.set("bert.embeddings.position_ids", { dtype: "I64", shape: [1, 4], data: new BigInt64Array(4) });
    const warnings: string[] = [];
    const loaded = loadCheckpoint(save("gamma", sd), bertArchitecture, cfg, {
      warn: (m) => warnings.push(m),
    });
    expect([...loaded.keys()]).toEqual([...bertArchitecture.tensorShapes(cfg).keys()]);
    const ln = "bert.encoder.layer.1.output.LayerNorm.bias";
    expect(loaded.get(ln)!.data).toEqual(weights.get(ln)!.data);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /3 tensors BertForSequenceClassification does not use skipped \(cls\.predictions\.transform\.dense\.weight, cls\.predictions\.bias, bert\.embeddings\.position_ids\); 10 LayerNorm\.gamma\/beta renamed/,
    );
  });

  it("accepts a checkpoint without the base-model prefix (HF adds 'bert.')", () => {
    const sd: StateDict = new Map([...weights].map(([n, t]) => [n.replace(/^bert\./, ""), t]));
    const loaded = loadCheckpoint(save("bare", sd), bertArchitecture, cfg, quiet);
    expect(loaded.get("bert.embeddings.word_embeddings.weight")!.data).toEqual(
      weights.get("bert.embeddings.word_embeddings.weight")!.data,
    );
  });

  it("refuses a bare base model without the classifier (HF would initialise it at random)", () => {
    const sd: StateDict = new Map(
      [...weights].filter(([n]) => n.startsWith("bert.")).map(([n, t]) => [n.replace(/^bert\./, ""), t]),
    );
    expect(() => loadCheckpoint(save("noclf", sd), bertArchitecture, cfg, quiet)).toThrow(
      /2 missing: classifier\.weight, classifier\.bias/,
    );
  });

  it("refuses NaN and infinite weights, naming the tensor", () => {
    const sd = new Map(weights);
    const bad = Float32Array.from(
      weights.get("bert.encoder.layer.0.attention.self.key.weight")!.data as Float32Array,
    );
    bad[5] = Number.NaN;
    sd.set("bert.encoder.layer.0.attention.self.key.weight", { dtype: "F32", shape: [16, 16], data: bad });
    const dir = save("nan", sd);
    expect(() => loadCheckpoint(dir, bertArchitecture, cfg, quiet)).toThrow(
      `checkpoint ${dir}: tensor "bert.encoder.layer.0.attention.self.key.weight" holds NaN at [0, 5] (1 non-finite value)`,
    );
    bad[5] = Number.NEGATIVE_INFINITY;
    expect(() => loadCheckpoint(save("inf", sd), bertArchitecture, cfg, quiet)).toThrow(
      /holds -Inf at \[0, 5\]/,
    );
  });

  it("Llama: a tied lm_head may be absent or present (HF re-ties it); untied and absent is refused", () => {
    const tied = tinyConfig({ tie_word_embeddings: true });
    const w = tinyWeights(tied, 3);
    const withHead = new Map(w);
    withHead.set("lm_head.weight", w.get("model.embed_tokens.weight")!);
    const warnings: string[] = [];
    const a = loadCheckpoint(save("tied-absent", w), llamaArchitecture, tied, quiet);
    const b = loadCheckpoint(save("tied-present", withHead), llamaArchitecture, tied, {
      warn: (m) => warnings.push(m),
    });
    expect([...a.keys()]).toEqual([...b.keys()]);
    expect(b.has("lm_head.weight")).toBe(false);
    expect(warnings[0]).toMatch(/1 tensors LlamaForCausalLM does not use skipped \(lm_head\.weight\)/);
    const untied = tinyConfig({ tie_word_embeddings: false });
    expect(() => loadCheckpoint(save("untied-absent", w), llamaArchitecture, untied, quiet)).toThrow(
      /1 missing: lm_head\.weight/,
    );
  });

  it("Llama: a bare LlamaModel checkpoint (no 'model.' prefix) loads into LlamaForCausalLM when tied", () => {
    const tied = tinyConfig({ tie_word_embeddings: true });
    const w = tinyWeights(tied, 4);
    const bare: StateDict = new Map([...w].map(([n, t]) => [n.replace(/^model\./, ""), t]));
    const loaded = loadCheckpoint(save("llama-bare", bare), llamaArchitecture, tied, quiet);
    expect([...loaded.keys()]).toEqual([...llamaArchitecture.tensorShapes(tied).keys()]);
  });

  it("keepDtype keeps BF16 labels (data widened in memory)", () => {
    const bf: StateDict = new Map([...weights].map(([n, t]) => [n, { ...t, dtype: "BF16" as const }]));
    const loaded = loadCheckpoint(save("bf16", bf), bertArchitecture, cfg, { keepDtype: true });
    expect(loaded.get("classifier.weight")!.dtype).toBe("BF16");
    expect(loaded.get("classifier.weight")!.data).toBeInstanceOf(Float32Array);
  });
});

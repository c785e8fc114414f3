import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type StateDict, writeSafetensors } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../src/bert/architecture.js";
import { loadCheckpoint } from "../src/checkpoint.js";
import { seeded, tempDir, tinyEncoderJson } from "./fixtures.js";

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
    sd.set("cls.predictions.bias", {
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
        "2 missing: bert.pooler.dense.weight, classifier.bias; 1 unexpected: cls.predictions.bias; " +
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

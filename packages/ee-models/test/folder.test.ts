import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AutoModelForSequenceClassification, Tensor as HfTensor } from "@huggingface/transformers";
import { writeSafetensors } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../src/bert/architecture.js";
import { bertReferenceLogits } from "../src/bert/reference.js";
import { buildModel } from "../src/build-model.js";
import { ClassifierSession } from "../src/engines/onnxruntime/classifier.js";
import { readModelFolder, writeModelFolder } from "../src/folder.js";
import { padBatch } from "../src/runner/batch.js";
import { useLocalFilesOnly } from "../src/tokenizers/load.js";
import { seeded, tempDir, tinyEncoderJson } from "./fixtures.js";

const tmp = tempDir("folder");
afterAll(() => tmp.cleanup());

describe("model folders", () => {
  const json = tinyEncoderJson("bert", { id2label: { "0": "neg", "1": "neu", "2": "pos" } });
  const cfg = bertArchitecture.parseConfig(json, "tiny");

  it("writeModelFolder without weights or tokenizer; readModelFolder finds what is there", async () => {
    const w = bertArchitecture.syntheticWeights(cfg, seeded("folder"));
    const out = await writeModelFolder(join(tmp.dir, "bare"), bertArchitecture, cfg, w, {
      build: { fused: false },
      saveWeights: false,
    });
    expect(out.weightsPath).toBeUndefined();
    const f = readModelFolder(out.dir);
    expect(f).toMatchObject({ arch: "bert", hasTokenizer: false, weightsPath: undefined, eeJson: undefined });
    expect((f.cfg as typeof cfg).id2label).toEqual(["neg", "neu", "pos"]);
    writeFileSync(join(out.dir, "ee.json"), JSON.stringify({ scheme: "full" }));
    expect(readModelFolder(out.dir).eeJson).toEqual({ scheme: "full" });
  });

  it("an external-data folder loads in transformers.js and in our runner with the same logits", async () => {
    const w = bertArchitecture.syntheticWeights(cfg, seeded("folder-ext"));
    const out = await writeModelFolder(join(tmp.dir, "ext"), bertArchitecture, cfg, w, {
      build: { fused: false, externalDataThresholdBytes: 0 },
      saveWeights: false,
    });
    expect(out.build.externalDataPath).toBeDefined();
    expect(JSON.parse(readFileSync(out.configPath, "utf8"))["transformers.js_config"]).toEqual({
      use_external_data_format: true,
    });
    const ids = [[2, 17, 33, 5]];
    const s = await ClassifierSession.open(out.dir);
    const ours = await s.runIds(padBatch(ids, cfg.padTokenId));
    await s.dispose();
    useLocalFilesOnly();
    const model = await AutoModelForSequenceClassification.from_pretrained(out.dir, {
      local_files_only: true,
      dtype: "fp32",
      device: "cpu",
    });
    const t = (v: number[]) => new HfTensor("int64", BigInt64Array.from(v.map(BigInt)), [1, v.length]);
    const { logits } = await model({
      input_ids: t(ids[0]),
      attention_mask: t([1, 1, 1, 1]),
      token_type_ids: t([0, 0, 0, 0]),
    });
    await model.dispose();
    for (const [l, v] of Array.from(logits.data as Float32Array).entries())
      expect(v).toBeCloseTo(ours.logits[l], 5);
  });

  it("config.json round-trips through toConfigJson/parseConfig", () => {
    const again = bertArchitecture.parseConfig(bertArchitecture.toConfigJson(cfg), "round trip");
    expect({ ...again, raw: undefined }).toEqual({ ...cfg, raw: undefined });
    expect(bertArchitecture.toConfigJson(cfg)).toMatchObject({
      architectures: ["BertForSequenceClassification"],
      model_type: "bert",
      label2id: { neg: 0, neu: 1, pos: 2 },
    });
  });

  it("readModelFolder names what is missing or wrong", () => {
    const d = join(tmp.dir, "broken");
    mkdirSync(d, { recursive: true });
    expect(() => readModelFolder(d)).toThrow(`model folder ${d}: config.json not found`);
    writeFileSync(join(d, "config.json"), JSON.stringify({ model_type: "gpt2" }));
    expect(() => readModelFolder(d)).toThrow(
      `${join(d, "config.json")}: field model_type: unknown architecture "gpt2"`,
    );
    writeFileSync(join(d, "config.json"), JSON.stringify(json));
    expect(() => readModelFolder(d)).toThrow(`model folder ${d}: onnx/model.onnx not found`);
    rmSync(d, { recursive: true });
  });

  it("buildModel from a config.json and a checkpoint folder (ee build --weights) runs those weights", async () => {
    const ckpt = join(tmp.dir, "ckpt");
    mkdirSync(ckpt, { recursive: true });
    const w = bertArchitecture.syntheticWeights(cfg, seeded("folder-ckpt"));
    writeSafetensors(join(ckpt, "model.safetensors"), w);
    writeFileSync(join(tmp.dir, "config.json"), JSON.stringify(json));
    const built = await buildModel({
      configPath: join(tmp.dir, "config.json"),
      weightsDir: ckpt,
      outDir: join(tmp.dir, "from-ckpt"),
    });
    expect(built.weightsSource).toBe(ckpt);
    expect(built.tokenizerFiles).toEqual([]);
    const s = await ClassifierSession.open(built.dir);
    try {
      const ids = [
        [2, 17, 33, 5],
        [2, 9, 3],
      ];
      const got = await s.runIds(padBatch(ids, cfg.padTokenId));
      const ref = bertReferenceLogits(cfg, w, {
        inputIds: [ids[0], [...ids[1], 0]],
        attentionMask: [
          [1, 1, 1, 1],
          [1, 1, 1, 0],
        ],
      });
      for (let b = 0; b < 2; b++)
        for (let l = 0; l < 3; l++) expect(got.logits[b * 3 + l]).toBeCloseTo(ref[b][l], 4);
      expect(got.latencyMs).toBeGreaterThan(0);
    } finally {
      await s.dispose();
    }
    await expect(buildModel({ outDir: tmp.dir })).rejects.toThrow(
      "buildModel: give exactly one of preset or configPath",
    );
  });
});

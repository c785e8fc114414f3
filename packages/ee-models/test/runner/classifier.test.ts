import { AutoModelForSequenceClassification, AutoTokenizer, pipeline } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encoderReferenceLogits } from "../../src/bert/reference.js";
import { ENCODER_VARIANTS } from "../../src/bert/variant.js";
import { buildModel } from "../../src/build-model.js";
import { loadCheckpoint } from "../../src/checkpoint.js";
import { ClassifierSession } from "../../src/engines/onnxruntime/classifier.js";
import { readModelFolder } from "../../src/folder.js";
import { getArchitecture } from "../../src/registry.js";
import { inferClassifier } from "../../src/runner/infer-classifier.js";
import { useLocalFilesOnly } from "../../src/tokenizers/load.js";
import type { BertConfig } from "../../src/types.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("classifier");
afterAll(() => tmp.cleanup());

const TEXTS = [
  "A wonderful, moving film.",
  "Terrible acting, a boring plot and far too long; I walked out after an hour of this mess.",
  "ok",
];

for (const preset of ["bert-tiny", "roberta-tiny"] as const) {
  describe(`${preset}: model folder, runner, transformers.js`, () => {
    const dir = `${tmp.dir}/${preset}`;
    beforeAll(async () => {
      await buildModel({ preset, outDir: dir, seed: 7 });
    });

    it("the folder has config, onnx, weights and tokenizer", () => {
      const f = readModelFolder(dir);
      expect(f.arch).toBe(preset.startsWith("bert") ? "bert" : "roberta");
      expect(f.hasTokenizer).toBe(true);
      expect(f.weightsPath?.endsWith("model.safetensors")).toBe(true);
      expect(f.eeJson).toBeUndefined();
    });

    it("batched, padded classify() equals the float64 reference on the saved weights", async () => {
      const s = await ClassifierSession.open(dir);
      try {
        const got = await s.classify(TEXTS, { batchSize: 3, maxLength: 16 });
        const cfg = s.cfg as BertConfig;
        const seqs = TEXTS.map((t) => s.tokenize(t, 16));
        expect(seqs[1].length).toBe(16); // truncated, closing token kept
        const T = Math.max(...seqs.map((q) => q.length));
        const batch = {
          inputIds: seqs.map((q) => [...q, ...Array(T - q.length).fill(cfg.padTokenId)]),
          attentionMask: seqs.map((q) => [...q.map(() => 1), ...Array(T - q.length).fill(0)]),
        };
        const f = readModelFolder(dir);
        const weights = loadCheckpoint(dir, getArchitecture<BertConfig>(f.arch), cfg);
        const ref = encoderReferenceLogits(
          ENCODER_VARIANTS[f.arch as "bert" | "roberta"],
          cfg,
          weights,
          batch,
        );
        got.forEach((c, b) => {
          for (const [l, v] of c.logits.entries()) expect(v).toBeCloseTo(ref[b][l], 4);
          expect(c.probs.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
          expect(c.label).toBe(cfg.id2label[c.labelId]);
          expect(c.numTokens).toBe(seqs[b].length);
        });
        // batch size 1 gives the same logits as the padded batch
        const one = await s.classify(TEXTS, { batchSize: 1, maxLength: 16 });
        for (const [b, c] of one.entries())
          for (const [l, v] of c.logits.entries()) expect(v).toBeCloseTo(got[b].logits[l], 5);
      } finally {
        await s.dispose();
      }
    });

    it("transformers.js loads the folder and gives the same logits as our runner", async () => {
      useLocalFilesOnly();
      const model = await AutoModelForSequenceClassification.from_pretrained(dir, {
        local_files_only: true,
        dtype: "fp32",
        device: "cpu",
      });
      const tok = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
      const s = await ClassifierSession.open(dir);
      try {
        const ours = await s.classify(TEXTS, { batchSize: 1 });
        for (let i = 0; i < TEXTS.length; i++) {
          const inputs = tok(TEXTS[i]);
          const { logits } = await model(inputs);
          const theirs = Array.from(logits.data as Float32Array);
          expect(theirs.length).toBe(ours[i].logits.length);
          for (const [l, v] of theirs.entries()) expect(v).toBeCloseTo(ours[i].logits[l], 5);
        }
        const classify = await pipeline("text-classification", dir, {
          local_files_only: true,
          dtype: "fp32",
          device: "cpu",
        });
        const top = (await classify(TEXTS[0])) as { label: string; score: number }[];
        expect(top[0].label).toBe(ours[0].label);
        expect(top[0].score).toBeCloseTo(ours[0].confidence, 5);
        await classify.dispose();
      } finally {
        await model.dispose();
        await s.dispose();
      }
    });

    it("inferClassifier returns label, per-class probabilities and a printable form", async () => {
      const r = await inferClassifier(dir, TEXTS[0]);
      expect(Object.keys(r.probs)).toEqual(["NEGATIVE", "POSITIVE"]);
      expect(r.printable).toContain(`label: ${r.label}`);
    });
  });
}

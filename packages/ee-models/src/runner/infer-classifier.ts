/** `inferClassifier(dir, text)`: one text through a plain classifier folder in any engine (behind `ee infer`). */
import type { EngineOptions } from "../engines/engine.js";
import { DEFAULT_ENGINE, getEngine } from "../engines/registry.js";
import { readModelFolder } from "../folder.js";
import { loadTokenizer } from "../tokenizers/load.js";
import type { BertConfig, ClassifyOptions } from "../types.js";
import { truncateKeepLast } from "./batch.js";
import {
  type ClassifierInference,
  classifierInference,
  classifyBatches,
  type IdClassifier,
} from "./classifier.js";

/** Options of `inferClassifier`: the engine that runs the folder, and how to classify. */
export interface InferClassifierOptions extends EngineOptions, ClassifyOptions {
  /** Registry name of the engine; default `DEFAULT_ENGINE`. */
  engine?: string;
}

/** Classify one text with a plain model folder (behind `ee infer` for classifiers). */
export async function inferClassifier(
  dir: string,
  text: string,
  opts: InferClassifierOptions = {},
): Promise<ClassifierInference> {
  const { engine: name, maxLength, batchSize, ...engineOpts } = opts;
  const cfg = readModelFolder(dir).cfg as BertConfig;
  const tokenizer = await loadTokenizer(dir);
  const engine = await getEngine(name ?? DEFAULT_ENGINE).open(dir, engineOpts);
  try {
    const model: IdClassifier = {
      maxLength: engine.maxPositions,
      tokenize: (t, max = engine.maxPositions) =>
        truncateKeepLast(tokenizer.encode(t), Math.min(max, engine.maxPositions)),
      classifyIds: async (seqs) => {
        const r = await engine.classify(seqs);
        return {
          logits: r.logits.data,
          batchSize: seqs.length,
          numLabels: engine.outputSize,
          latencyMs: r.latencyMs,
        };
      },
    };
    const [result] = await classifyBatches(model, cfg.id2label, [text], { maxLength, batchSize });
    return classifierInference(cfg.id2label, result);
  } finally {
    await engine.close();
  }
}

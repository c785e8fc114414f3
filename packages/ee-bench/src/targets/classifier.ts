/**
 * Classifier targets (BERT, RoBERTa): VI is a `ClassifierSession` on the plain folder; EE is an
 * `EncryptedClassifier` (encrypt ids → encrypted model → decrypt class logits) on the encrypted one.
 * Both get the same plain token ids, tokenized once in `prepare` (outside the timed calls).
 */
import { ClassifierSession, EncryptedClassifier, type SessionOptions } from "ee-models";
import type { BenchSample, BenchTarget, SuiteRow, TargetKind, TargetOutput, TargetPair } from "../types.js";
import type { CachedModels } from "./model-cache.js";
import { preparedIds } from "./prepared-ids.js";

/** Something with `classify(ids)` — both session kinds. */
interface Classifies {
  classify(
    inputs: readonly (readonly number[])[],
    opts: { maxLength?: number; batchSize?: number },
  ): Promise<{ logits: number[]; labelId: number; confidence: number }[]>;
  dispose(): Promise<void>;
}

function target(
  kind: TargetKind,
  session: Classifies,
  ids: Map<string, number[]>,
  row: SuiteRow,
): BenchTarget {
  return {
    kind,
    async run(batch: readonly BenchSample[]): Promise<TargetOutput[]> {
      const seqs = preparedIds(ids, batch, row);
      const res = await session.classify(seqs, { maxLength: row.maxLength, batchSize: batch.length });
      return res.map((r) => ({
        predicted: r.labelId,
        confidence: r.confidence,
        logits: Float32Array.from(r.logits),
      }));
    },
    async close() {
      await session.dispose();
    },
  };
}

/** Opens the VI and EE classifiers of a row. */
export async function openClassifierPair(
  row: SuiteRow,
  m: CachedModels,
  sessionOpts: SessionOptions,
): Promise<TargetPair> {
  const vi = await ClassifierSession.open(m.plainDir, sessionOpts);
  const ee = await EncryptedClassifier.open(m.encDir, m.keyPath, {
    ...sessionOpts,
    tokenizerDir: m.plainDir,
  });
  const ids = new Map<string, number[]>();
  const tokenize = (text: string) => vi.tokenize(text, row.maxLength);
  return {
    vi: target("vi", vi, ids, row),
    ee: target("ee", ee, ids, row),
    async prepare(samples) {
      for (const s of samples) if (!ids.has(s.id)) ids.set(s.id, tokenize(s.text));
    },
    info: {
      plainDir: m.plainDir,
      encDir: m.encDir,
      buildSec: m.buildSec,
      encryptSec: m.encryptSec,
      maxPositions: vi.maxLength,
    },
    countTokens: (t) => tokenize(t).length,
  };
}

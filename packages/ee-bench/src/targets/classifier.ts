/**
 * Classifier targets (BERT, RoBERTa): VI is the row's engine on the plain folder; EE the same engine on
 * the encrypted folder behind the client (encrypt ids → engine → decrypt class logits). Both get the
 * same plain token ids, tokenized once in `prepare` (outside the timed calls).
 */
import { type Engine, loadTokenizer, softmax, truncateKeepLast } from "ee-models";
import type {
  BenchSample,
  BenchTarget,
  SuiteRow,
  TargetFactoryContext,
  TargetKind,
  TargetOutput,
  TargetPair,
} from "../types.js";
import { openRowEngines } from "./engines.js";
import type { CachedModels } from "./model-cache.js";
import { preparedIds } from "./prepared-ids.js";

function target(kind: TargetKind, engine: Engine, ids: Map<string, number[]>, row: SuiteRow): BenchTarget {
  return {
    kind,
    async run(batch: readonly BenchSample[]): Promise<TargetOutput[]> {
      const { logits } = await engine.classify(preparedIds(ids, batch, row));
      const L = logits.dims[1];
      return batch.map((_, b) => {
        const row = logits.data.slice(b * L, (b + 1) * L); // [L]
        const probs = softmax(row);
        const predicted = probs.indexOf(Math.max(...probs));
        return { predicted, confidence: probs[predicted], logits: row };
      });
    },
    async close() {
      await engine.close();
    },
  };
}

/** Opens the VI and EE classifiers of a row. */
export async function openClassifierPair(
  row: SuiteRow,
  m: CachedModels,
  ctx: TargetFactoryContext,
): Promise<TargetPair> {
  const tokenizer = await loadTokenizer(m.plainDir);
  const e = await openRowEngines(row, m, ctx);
  const maxLength = Math.min(row.maxLength, e.vi.maxPositions);
  const ids = new Map<string, number[]>();
  const tokenize = (text: string) => truncateKeepLast(tokenizer.encode(text), maxLength);
  return {
    vi: target("vi", e.vi, ids, row),
    ee: target("ee", e.ee, ids, row),
    async prepare(samples) {
      for (const s of samples) if (!ids.has(s.id)) ids.set(s.id, tokenize(s.text));
    },
    info: {
      plainDir: m.plainDir,
      encDir: m.encDir,
      buildSec: m.buildSec,
      encryptSec: m.encryptSec,
      maxPositions: e.vi.maxPositions,
      runtime: e.runtime,
      ...e.info,
    },
    countTokens: (t) => tokenize(t).length,
  };
}

/**
 * Fake targets with a fake clock: a call's latency depends only on (target, sample ids), so two
 * runs of the same plan measure identical numbers whatever happens in between.
 */
import { createHash } from "node:crypto";
import type {
  BenchSample,
  BenchTarget,
  SuiteRow,
  TargetFactory,
  TargetKind,
  TargetOutput,
} from "../src/types.js";

/** A clock the fake targets advance. */
export class FakeClock {
  t = 0;
  now = (): number => this.t;
}

const h = (s: string) => createHash("sha256").update(s).digest().readUInt32BE(0) / 2 ** 32;

/** Options of `fakeFactory`. */
export interface FakeOptions {
  /** The clock to advance. */
  clock: FakeClock;
  /** EE calls this much slower (fraction); default 0.001. */
  eeSlowdown?: number;
  /** Throw on the k-th call (1-based, warm-up included) of the EE target. */
  eeThrowsAtCall?: number;
  /** Records every call as `kind:ids`. */
  calls?: string[];
  /** EE logits offset (logits); default 1e-7. */
  eeLogitError?: number;
  /** EE latency × (1 + eeJitter·u), u uniform in [−½, ½) from a hash of the call count: deterministic noise (fraction); default 0. */
  eeJitter?: number;
}

function fakeTarget(kind: TargetKind, o: FakeOptions, task: SuiteRow["task"]): BenchTarget {
  let n = 0;
  return {
    kind,
    async run(batch: readonly BenchSample[]): Promise<TargetOutput[]> {
      n++;
      if (kind === "ee" && o.eeThrowsAtCall !== undefined && n >= o.eeThrowsAtCall)
        throw new Error(`fake ${kind} crashed at call ${n}`);
      o.calls?.push(`${kind}:${batch.map((s) => s.id).join(",")}`);
      const base = batch.reduce((s, x) => s + 5 + 10 * h(x.id), 0);
      // Multiples of 1/1024 ms: sums on the clock stay exact, so latencies never depend on the clock's value.
      const jitter = kind === "ee" ? 1 + (o.eeJitter ?? 0) * (h(`jitter:${n}`) - 0.5) : 1;
      o.clock.t +=
        Math.round((kind === "ee" ? base * (1 + (o.eeSlowdown ?? 0.001)) * jitter : base) * 1024) / 1024;
      return batch.map((s) => {
        const a = 4 * h(`${s.id}:a`) - 2;
        const logits = Float32Array.from(task === "classify" ? [a, -a] : [a, 0.5, -a, 0.1]);
        if (kind === "ee") logits[0] += o.eeLogitError ?? 1e-7;
        const e = Array.from(logits, (x) => Math.exp(x));
        const sum = e.reduce((p, q) => p + q, 0);
        const predicted = e.indexOf(Math.max(...e));
        return {
          predicted,
          confidence: e[predicted] / sum,
          logits,
          tokens: task === "generate" ? [predicted, 1, 2] : undefined,
        };
      });
    },
  };
}

/** A factory of fake VI/EE pairs. */
export function fakeFactory(o: FakeOptions): TargetFactory {
  return async (row) => ({
    vi: fakeTarget("vi", o, row.task),
    ee: fakeTarget("ee", o, row.task),
    info: {
      fake: true,
      model: row.model,
      runtime: row.batchSize > 1 ? `fake batched (bs ${row.batchSize})` : "fake",
    },
    countTokens: (t: string) => t.split(/\s+/).length,
  });
}

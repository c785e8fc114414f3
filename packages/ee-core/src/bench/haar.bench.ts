/**
 * Benchmark (not a test): time to make a Haar-random orthogonal Q (float64) with each algorithm for
 * the sizes below, and its orthogonality error max |QᵀQ − I| (computed in float64, from the float64
 * values and from the values rounded to float32). Prints wall and CPU time: on a shared machine CPU
 * time is the steadier number.
 * Run: `npm run bench -w packages/ee-core` (after a build). Settings are the constants below.
 */
import { cpus } from "node:os";
import { haarOrthogonal, orthogonalityError, toFloat32 } from "../linalg.js";
import { createRandom } from "../random.js";
import { median } from "../stats.js";
import type { HaarOptions } from "../types.js";

/** Sizes d, timed repetitions per algorithm, an untimed warm-up, and which error checks to run (each costs ≈ d³/2 multiply-adds). */
const SETTINGS: { d: number; reps: number; warmup: boolean; checks: ("f64" | "f32")[] }[] = [
  { d: 768, reps: 5, warmup: true, checks: ["f64", "f32"] },
  { d: 4096, reps: 1, warmup: false, checks: ["f32"] },
];
/** Algorithms compared (see `HaarOptions`). */
const ALGORITHMS: NonNullable<HaarOptions["algorithm"]>[] = ["qr", "stewart"];
/** Seed of the random stream (the timing does not depend on the values). */
const SEED = "haar-bench";

function main(): void {
  const rng = createRandom({ seed: SEED });
  console.log(
    `haarOrthogonal benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  );
  for (const { d, reps, warmup, checks } of SETTINGS) {
    for (const algorithm of ALGORITHMS) {
      if (warmup) haarOrthogonal(d, rng, { algorithm });
      const wallMs: number[] = [];
      const cpuMs: number[] = [];
      let q: Float64Array = new Float64Array(0);
      for (let r = 0; r < reps; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        q = haarOrthogonal(d, rng, { algorithm });
        wallMs.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpuMs.push((c.user + c.system) / 1000);
      }
      const errs = checks.map(
        (c) => `${c} ${orthogonalityError(c === "f64" ? q : toFloat32(q), d).toExponential(2)}`,
      );
      console.log(
        `d=${d} ${algorithm}: median wall ${median(wallMs).toFixed(0)} ms, cpu ${median(cpuMs).toFixed(0)} ms ` +
          `over ${reps} rep(s) [wall ${wallMs.map((t) => t.toFixed(0)).join(", ")}]; max|QᵀQ−I| ${errs.join(", ")}`,
      );
    }
  }
}

main();

/**
 * Built and encrypted models cached under `<cacheDir>/models/`: the plain folder
 * `<preset>-seed<N>`, the encrypted folder `<preset>-seed<N>.<scheme>.ee` and its key
 * `<cacheDir>/keys/<preset>-seed<N>.<scheme>.key.safetensors`. Each is written to a temporary
 * name and renamed when complete, so an interrupted build is never mistaken for a cached one, and
 * an entry is locked (`<base>.lock`) while it is written: a second `ee run` on the same cache waits.
 * The key is derived from the row's seed: reproducible, hence NOT secret — fine for timing.
 *
 * Generation rows use a graph that emits the logits of the last position only (ee-models'
 * `lastTokenLogitsOnly`), as a serving engine computes them: with all positions, the 128k-token LM
 * head dominates prefill. Plain and encrypted graphs are built with the same options, and such
 * models are cached under `<preset>-seed<N>-lastlogits`.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import {
  acquireLock,
  createRandom,
  type HeldLock,
  KEY_FORMAT_VERSION,
  LockedError,
  openSafetensors,
} from "ee-core";
import {
  buildModel,
  encryptModelFolder,
  getArchitecture,
  getPreset,
  getTokenizerSource,
  type LlamaBuildOptions,
  writeModelFolder,
} from "ee-models";
import type { RowTask, TargetFactoryContext } from "../types.js";

/** Graph build options per task, and the cache-name suffix that marks non-default ones. */
const GRAPHS: Record<RowTask, { suffix: string; build: LlamaBuildOptions }> = {
  classify: { suffix: "", build: { fused: false } },
  generate: { suffix: "-lastlogits", build: { fused: false, lastTokenLogitsOnly: true } },
};

/** `buildModel` with explicit graph options (synthetic weights seeded exactly as buildModel seeds them). */
async function buildPlain(
  preset: string,
  seed: number,
  outDir: string,
  build: LlamaBuildOptions,
  dataDir: string,
): Promise<void> {
  if (!build.lastTokenLogitsOnly) {
    await buildModel({ preset, outDir, seed, saveWeights: true, dataDir, fused: build.fused });
    return;
  }
  const p = getPreset(preset);
  const arch = getArchitecture(p.arch);
  const cfg = arch.parseConfig(p.config, `preset ${p.name}`);
  const weights = arch.syntheticWeights(cfg, createRandom({ seed }));
  const tokenizer = p.tokenizer ? getTokenizerSource(p.tokenizer).files(dataDir) : undefined;
  await writeModelFolder(outDir, arch, cfg, weights, { tokenizer, saveWeights: true, build });
}

/** Where a row's models are, and what making them cost. */
export interface CachedModels {
  /** Plain model folder (absolute path). */
  plainDir: string;
  /** Encrypted model folder (absolute path). */
  encDir: string;
  /** Key file (absolute path). */
  keyPath: string;
  /** Build time of the plain model, 0 when cached (s). */
  buildSec: number;
  /** Encryption time (weights + graph) of every copy made now, 0 when cached (s). */
  encryptSec: number;
  /** Re-keying rows: the further encrypted copies, each under its own key (folders and key files). */
  copies?: { encDir: string; keyPath: string }[];
}

/**
 * Builds (or finds) the plain and encrypted models of `preset` with `seed` and `scheme` for `task`;
 * with `copies` > 1 (re-keying rows) also copies 1…copies−1, encrypted under keys drawn from
 * `<seed>/copy<i>`.
 */
export async function ensureModels(
  preset: string,
  scheme: string,
  seed: number,
  task: RowTask,
  ctx: TargetFactoryContext,
  copies = 1,
): Promise<CachedModels> {
  const graph = GRAPHS[task];
  const models = join(ctx.cacheDir, "models");
  const keys = join(ctx.cacheDir, "keys");
  mkdirSync(models, { recursive: true });
  mkdirSync(keys, { recursive: true });
  const base = `${preset}-seed${seed}${graph.suffix}`;
  const plainDir = join(models, base);
  const encDir = join(models, `${base}.${scheme}.ee`);
  const keyPath = join(keys, `${base}.${scheme}.key.safetensors`);
  // One writer per cache entry: a second process (another `ee run` on the same cache) waits here
  // until the first has finished, then finds the entry complete.
  const lock = await acquireCacheLock(join(models, `${base}.lock`), `model cache entry ${plainDir}`, ctx);
  try {
    let buildSec = 0;
    let encryptSec = 0;
    if (!existsSync(plainDir)) {
      const tmp = `${plainDir}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      ctx.log(`building ${preset} (seed ${seed}) → ${plainDir}`);
      const t0 = performance.now();
      await buildPlain(preset, seed, tmp, graph.build, ctx.dataDir);
      renameSync(tmp, plainDir);
      buildSec = (performance.now() - t0) / 1000;
    }
    const encrypt = async (dir: string, key: string, keySeed: number | string): Promise<void> => {
      if (existsSync(dir) && currentKey(key)) return;
      const tmp = `${dir}.partial`;
      const tmpKey = `${key}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      rmSync(tmpKey, { force: true });
      ctx.log(`encrypting ${preset} (${scheme}) → ${dir}`);
      const t0 = performance.now();
      await encryptModelFolder(plainDir, tmp, {
        keyPath: tmpKey,
        scheme,
        seed: keySeed,
        preset,
        build: graph.build,
        warn: () => {},
      });
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmpKey, key);
      renameSync(tmp, dir);
      encryptSec += (performance.now() - t0) / 1000;
    };
    await encrypt(encDir, keyPath, seed);
    const extra = Array.from({ length: copies - 1 }, (_, i) => ({
      encDir: join(models, `${base}.${scheme}.copy${i + 1}.ee`),
      keyPath: join(keys, `${base}.${scheme}.copy${i + 1}.key.safetensors`),
    }));
    for (const [i, c] of extra.entries()) await encrypt(c.encDir, c.keyPath, `${seed}/copy${i + 1}`);
    return { plainDir, encDir, keyPath, buildSec, encryptSec, ...(copies > 1 ? { copies: extra } : {}) };
  } finally {
    lock.release();
  }
}

/** True when `keyPath` is a key file of the current format (older cached keys are re-made). */
function currentKey(keyPath: string): boolean {
  if (!existsSync(keyPath)) return false;
  try {
    const r = openSafetensors(keyPath);
    const ok = r.metadata["ee.formatVersion"] === String(KEY_FORMAT_VERSION);
    r.close();
    return ok;
  } catch {
    return false;
  }
}

/** Lock a cache entry, saying so when another process holds it (waits up to 2 h). */
async function acquireCacheLock(path: string, what: string, ctx: TargetFactoryContext): Promise<HeldLock> {
  try {
    return await acquireLock(path, { what });
  } catch (e) {
    if (!(e instanceof LockedError)) throw e;
    ctx.log(`${e.message}; waiting`);
    return acquireLock(path, { what, timeoutMs: 2 * 3600_000, pollMs: 500 });
  }
}

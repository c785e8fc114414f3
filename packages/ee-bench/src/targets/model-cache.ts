/**
 * Built and encrypted models cached under `<cacheDir>/models/`: the plain folder
 * `<preset>-seed<N>`, the encrypted folder `<preset>-seed<N>.<scheme>.ee` and its key
 * `<cacheDir>/keys/<preset>-seed<N>.<scheme>.key.safetensors`. Each is written to a temporary
 * name and renamed when complete, so an interrupted build is never mistaken for a cached one.
 * The key is derived from the row's seed: reproducible, hence NOT secret — fine for timing.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildModel, encryptModelFolder } from "ee-models";
import type { TargetFactoryContext } from "../types.js";

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
  /** Encryption time (weights + graph), 0 when cached (s). */
  encryptSec: number;
}

/** Builds (or finds) the plain and encrypted models of `preset` with `seed` and `scheme`. */
export async function ensureModels(
  preset: string,
  scheme: string,
  seed: number,
  ctx: TargetFactoryContext,
): Promise<CachedModels> {
  const models = join(ctx.cacheDir, "models");
  const keys = join(ctx.cacheDir, "keys");
  mkdirSync(models, { recursive: true });
  mkdirSync(keys, { recursive: true });
  const base = `${preset}-seed${seed}`;
  const plainDir = join(models, base);
  const encDir = join(models, `${base}.${scheme}.ee`);
  const keyPath = join(keys, `${base}.${scheme}.key.safetensors`);
  let buildSec = 0;
  let encryptSec = 0;
  if (!existsSync(plainDir)) {
    const tmp = `${plainDir}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    ctx.log(`building ${preset} (seed ${seed}) → ${plainDir}`);
    const t0 = performance.now();
    await buildModel({ preset, outDir: tmp, seed, saveWeights: true, dataDir: ctx.dataDir });
    renameSync(tmp, plainDir);
    buildSec = (performance.now() - t0) / 1000;
  }
  if (!existsSync(encDir) || !existsSync(keyPath)) {
    const tmp = `${encDir}.partial`;
    const tmpKey = `${keyPath}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    rmSync(tmpKey, { force: true });
    ctx.log(`encrypting ${preset} (${scheme}) → ${encDir}`);
    const t0 = performance.now();
    await encryptModelFolder(plainDir, tmp, { keyPath: tmpKey, scheme, seed, preset, warn: () => {} });
    rmSync(encDir, { recursive: true, force: true });
    renameSync(tmpKey, keyPath);
    renameSync(tmp, encDir);
    encryptSec = (performance.now() - t0) / 1000;
  }
  return { plainDir, encDir, keyPath, buildSec, encryptSec };
}

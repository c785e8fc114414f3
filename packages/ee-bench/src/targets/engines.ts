/**
 * The VI and EE engines of a row: the row's engine (registry name) opened on the plain folder, and the
 * same engine with the same options on the encrypted folder behind the EE client. The launcher decides
 * whether each engine runs in this process or in its own child process.
 */
import {
  EEClient,
  EncryptedEngine,
  type Engine,
  type EngineOptions,
  getEngine,
  launchEngine,
  RekeyingEngine,
} from "ee-models";
import type { SuiteRow, TargetFactoryContext } from "../types.js";
import type { CachedModels } from "./model-cache.js";
import { openServedEngines } from "./served-engines.js";

/** A row's two engines and what the report says about them. */
export interface RowEngines {
  /** The plain folder in the row's engine. */
  vi: Engine;
  /** The encrypted folder in the same engine, behind the client (re-keying rows: a random copy per call). */
  ee: EncryptedEngine | RekeyingEngine;
  /** The runtime column: the engine's label, `batched (bs N)` appended for bs > 1 (text). */
  runtime: string;
  /** Facts for env.json: engine name, label, version, device, threads, launcher (JSON values). */
  info: Record<string, unknown>;
}

/** The engine options of a row: the context's device and threads, spinning off, then the row's own. */
export function rowEngineOptions(row: SuiteRow, ctx: TargetFactoryContext): EngineOptions {
  // VI and EE take turns: with spinning on, the idle side's workers steal cores from the running one
  // (a −18 % A/A bias for Llama on 2 cores); both get the same options, so the comparison stays fair.
  const o: EngineOptions = { device: ctx.device === "cuda" ? "cuda" : "cpu", allowSpinning: false };
  if (ctx.threads !== undefined) o.threads = ctx.threads;
  return { ...o, ...row.engineOptions };
}

/** Opens a row's VI and EE engines (same engine, same options, same launcher). */
export async function openRowEngines(
  row: SuiteRow,
  m: CachedModels,
  ctx: TargetFactoryContext,
): Promise<RowEngines> {
  if (row.servers?.kind === "serve") return openServedEngines(row, m, ctx);
  if (row.servers) throw new Error(`row ${row.id}: external servers are opened by openExternalEngines`);
  const opts = rowEngineOptions(row, ctx);
  getEngine(row.engine); // an unknown name fails here, naming the known ones
  const vi = await launchEngine(row.engine, m.plainDir, opts, row.launcher);
  const members: EncryptedEngine[] = [];
  try {
    for (const c of [{ encDir: m.encDir, keyPath: m.keyPath }, ...(m.copies ?? [])]) {
      const client = EEClient.open(c.encDir, c.keyPath);
      members.push(new EncryptedEngine(client, await launchEngine(row.engine, c.encDir, opts, row.launcher)));
    }
  } catch (e) {
    for (const x of [vi, ...members]) await x.close();
    throw e;
  }
  // re-keying rows: every call (one repetition's batch) goes to a copy drawn with crypto.randomInt
  const ee = members.length > 1 ? new RekeyingEngine(members) : members[0];
  const label = vi.info.label;
  const base = row.batchSize > 1 ? `${label} batched (bs ${row.batchSize})` : label;
  return {
    vi,
    ee,
    runtime: members.length > 1 ? `${base}, re-keyed over ${members.length} copies` : base,
    info: {
      engine: { ...vi.info },
      engineOptions: opts,
      launcher: row.launcher,
      ...(members.length > 1 ? { rekeyCopies: members.length } : {}),
    },
  };
}

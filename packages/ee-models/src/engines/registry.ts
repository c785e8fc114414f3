/**
 * The engine registry: one row per engine. Adding an engine = its folder + one `registerEngine` row.
 */
import type { EngineFactory } from "./engine.js";
import { httpEngine } from "./http/factory.js";

const ENGINES = new Map<string, EngineFactory>();

/** Add an engine (a second row with the same name is an error). */
export function registerEngine(factory: EngineFactory): void {
  if (ENGINES.has(factory.name)) throw new Error(`engine "${factory.name}" is registered twice`);
  ENGINES.set(factory.name, factory);
}

/** The engine called `name`; an error listing the known ones otherwise. */
export function getEngine(name: string): EngineFactory {
  const f = ENGINES.get(name);
  if (!f) throw new Error(`unknown engine "${name}" (known: ${engineNames().join(", ") || "none"})`);
  return f;
}

/** Registered engine names, in registration order. */
export function engineNames(): string[] {
  return [...ENGINES.keys()];
}

registerEngine(httpEngine);

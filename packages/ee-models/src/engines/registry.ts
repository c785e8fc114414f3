/**
 * The engine registry: one row per engine. The built-in rows come from `engines/builtin.ts`; adding an
 * engine = its folder + one row there (or a `registerEngine` call for an engine that lives elsewhere).
 */
import { BUILTIN_ENGINES, DEFAULT_ENGINE } from "./builtin.js";
import type { EngineAvailability, EngineFactory } from "./engine.js";

export { DEFAULT_ENGINE };

const ENGINES = new Map<string, EngineFactory>(BUILTIN_ENGINES.map((f) => [f.name, f]));

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

/** One line of `ee engines`: an engine, what it is, and whether it runs here. */
export interface EngineListing {
  /** Registry name. */
  name: string;
  /** One line about it. */
  description: string;
  /** Whether (and on which devices) it runs here, or why not. */
  availability: EngineAvailability;
}

/** Every registered engine with its availability (for `ee engines`). */
export async function listEngines(): Promise<EngineListing[]> {
  const out: EngineListing[] = [];
  for (const f of ENGINES.values()) {
    let availability: EngineAvailability;
    try {
      availability = await f.availability();
    } catch (e) {
      availability = { available: false, reason: (e as Error).message };
    }
    out.push({ name: f.name, description: f.description, availability });
  }
  return out;
}

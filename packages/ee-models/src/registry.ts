/**
 * Architectures by name (a table, not if-chains). The key is config.json's `model_type`.
 * To add an architecture: implement `Architecture` in its own folder and add one row here.
 */
import { bertArchitecture } from "./bert/architecture.js";
import { llamaArchitecture } from "./llama/architecture.js";
import { robertaArchitecture } from "./roberta/architecture.js";
import type { Architecture, ArchName, ModelConfig } from "./types.js";

/** The registered architectures. */
// biome-ignore lint/suspicious/noExplicitAny: each row is typed by its own config.
const ARCHITECTURES: Partial<Record<ArchName, Architecture<any>>> = {
  bert: bertArchitecture,
  roberta: robertaArchitecture,
  llama: llamaArchitecture,
};

/** Names of the registered architectures. */
export function architectureNames(): ArchName[] {
  return Object.keys(ARCHITECTURES) as ArchName[];
}

/** The architecture registered as `name`; `source` names where the name came from (for errors). */
export function getArchitecture<C extends ModelConfig = ModelConfig>(
  name: string,
  source = "architecture",
): Architecture<C> {
  const arch = ARCHITECTURES[name as ArchName];
  if (!arch)
    throw new Error(
      `${source}: unknown architecture ${JSON.stringify(name)} (registered: ${architectureNames().join(", ")})`,
    );
  return arch as Architecture<C>;
}

/** Register (or replace) an architecture at run time, e.g. from a plug-in. */
export function registerArchitecture(arch: Architecture<ModelConfig>): void {
  ARCHITECTURES[arch.name] = arch;
}

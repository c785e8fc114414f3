/**
 * The launcher: where an engine runs. `in-process` opens it in this process (the engines of a
 * benchmark row then share one event loop and one heap); `child-process` gives each engine its own
 * process (own heap, own runtime thread pool), reached over IPC.
 */
import type { Engine, EngineOptions } from "./engine.js";
import { ChildProcessEngine } from "./launcher/child-engine.js";
import { getEngine } from "./registry.js";

/** Where an engine runs. */
export type Launcher = "in-process" | "child-process";

/** Launchers, in the order help texts list them. */
export const LAUNCHERS: readonly Launcher[] = ["in-process", "child-process"];

/** Open `folder` with the registry's engine `name`, in this process or in a child process. */
export async function launchEngine(
  name: string,
  folder: string,
  opts: EngineOptions = {},
  launcher: Launcher = "in-process",
): Promise<Engine> {
  if (launcher === "in-process") return getEngine(name).open(folder, opts);
  if (launcher === "child-process") {
    getEngine(name); // unknown names fail here, before a process starts
    return ChildProcessEngine.open(name, folder, opts);
  }
  throw new Error(`launcher ${String(launcher)}: expected one of ${LAUNCHERS.join(", ")}`);
}

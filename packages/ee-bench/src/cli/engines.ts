/** `ee engines`: every registered engine, one line each, with where it runs here or why it cannot. */
import { type EngineListing, listEngines } from "ee-models";

/** The printable lines of `ee engines`. */
export function formatEngines(list: readonly EngineListing[]): string {
  const w = Math.max(...list.map((e) => e.name.length));
  return list
    .map((e) => {
      const a = e.availability;
      const status = a.available
        ? `available (${a.devices.join(", ")})${a.note ? `; ${a.note}` : ""}`
        : `not available: ${a.reason}${a.howToInstall ? `; to install: ${a.howToInstall}` : ""}`;
      return `${e.name.padEnd(w)}  ${e.description}\n${" ".repeat(w)}  ${status}`;
    })
    .join("\n");
}

/** Prints the engine list; `--json` prints the listings as JSON. */
export async function enginesCommand(opts: { json?: boolean } = {}): Promise<void> {
  const list = await listEngines();
  process.stdout.write(opts.json ? `${JSON.stringify(list, null, 2)}\n` : `${formatEngines(list)}\n`);
}

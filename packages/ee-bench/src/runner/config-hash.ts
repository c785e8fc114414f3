/** The run configuration and its hash, which `--resume` requires to match. */
import { createHash } from "node:crypto";
import type { RunConfig, Suite } from "../types.js";

/** JSON with object keys sorted, so equal configurations hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Builds `config.json`'s content; the hash covers the suite, the sample ids, device and threads. */
export function buildRunConfig(
  suite: Suite,
  sampleIds: Record<string, string[]>,
  device: string,
  threads: number | undefined,
): RunConfig {
  const body = { v: 1 as const, suite, sampleIds, device, threads };
  const configHash = createHash("sha256").update(canonicalJson(body)).digest("hex");
  return threads === undefined
    ? { v: 1, suite, sampleIds, configHash, device }
    : { v: 1, suite, sampleIds, configHash, device, threads };
}

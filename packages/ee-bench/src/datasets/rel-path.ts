/** Paths in messages: relative to the data directory when inside it, else absolute. */
import { isAbsolute, relative } from "node:path";

/** `abs` relative to `dataDir` when inside it, else `abs` unchanged (POSIX separators). */
export function relToData(dataDir: string, abs: string): string {
  const r = relative(dataDir, abs);
  if (r === "" || r.startsWith("..") || isAbsolute(r)) return abs;
  return r.split("\\").join("/");
}

/**
 * Reads what `ee serve --log-requests FILE` recorded (one JSON object per line, see ee-serve's
 * `RequestLogEntry`) into the attacker's observed traffic: every prompt the server received, as the
 * encrypted ids it saw. Answered errors (status ≠ 200) and requests without prompts (e.g.
 * `GET /v1/models`) carry no traffic and are counted apart. A malformed line is a one-line error
 * naming the file and the line.
 */
import { readFileSync } from "node:fs";

/** The observed traffic of one log. */
export interface TrafficLog {
  /** The log file (path). */
  path: string;
  /** Prompts as the server received them, encrypted ids, in log order (one per prompt). */
  prompts: Int32Array[];
  /** Generated ids the server sent back (tokens), summed over the log; not attacked. */
  outputTokens: number;
  /** Requests that carried prompts (requests). */
  requests: number;
  /** Lines without traffic: errors answered and routes without prompts (lines). */
  skippedLines: number;
}

const isIdList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => Number.isInteger(x) && (x as number) >= 0);

/**
 * Parse `path`. `vocabSize` (ids, the encrypted config's vocabulary) bounds every id: one outside it
 * means the log is from another model.
 */
export function readTrafficLog(path: string, vocabSize: number): TrafficLog {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`--traffic-log ${path}: ${(e as Error).message}`);
  }
  const out: TrafficLog = { path, prompts: [], outputTokens: 0, requests: 0, skippedLines: 0 };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const where = `${path}:${i + 1}`;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw new Error(`${where}: expected a JSON object (one request log entry)`);
    if (typeof entry.status !== "number") throw new Error(`${where}: field "status" missing or not a number`);
    const prompts = entry.promptTokenIds;
    if (entry.status !== 200 || prompts === undefined) {
      out.skippedLines++;
      continue;
    }
    if (!Array.isArray(prompts) || !prompts.every(isIdList))
      throw new Error(`${where}: field "promptTokenIds" must be a list of lists of non-negative integer ids`);
    for (const p of prompts) {
      const bad = p.find((x) => x >= vocabSize);
      if (bad !== undefined)
        throw new Error(
          `${where}: id ${bad} in "promptTokenIds" is outside the encrypted vocabulary [0, ${vocabSize}) — a log of another model?`,
        );
      out.prompts.push(Int32Array.from(p));
    }
    const outputs = entry.outputTokenIds;
    if (outputs !== undefined) {
      if (!Array.isArray(outputs) || !outputs.every(isIdList))
        throw new Error(
          `${where}: field "outputTokenIds" must be a list of lists of non-negative integer ids`,
        );
      for (const o of outputs) out.outputTokens += o.length;
    }
    out.requests++;
  }
  if (out.prompts.length === 0)
    throw new Error(
      `--traffic-log ${path}: no successful request with prompts (${out.skippedLines} lines without traffic)`,
    );
  return out;
}

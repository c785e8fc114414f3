/**
 * `--log-requests FILE`: one JSON line per request with what the server saw — the token ids that
 * came in and went out, their lengths, the settings and the timings. This is the attacker's view of
 * an honest-but-curious server (for the attacks to read); it never holds anything the server lacks.
 */
import { createWriteStream, type WriteStream } from "node:fs";

/** One line of the request log. */
export interface RequestLogEntry {
  /** When the request arrived (ISO 8601). */
  time: string;
  /** The server's id for it (`cmpl-…`, `classify-…`). */
  id: string;
  /** Method and path, e.g. `"POST /v1/completions"`. */
  route: string;
  /** HTTP status answered. */
  status: number;
  /** Prompt or input token ids as received (token ids), one list per prompt. */
  promptTokenIds?: number[][];
  /** Their lengths (tokens). */
  promptLengths?: number[];
  /** Generated token ids as sent back (token ids), one list per prompt. */
  outputTokenIds?: number[][];
  /** Decoding settings as asked: max_tokens (tokens), ignore_eos, logprobs (tokens), stream. */
  settings?: { maxTokens: number; ignoreEos: boolean; logprobs: number | null; stream: boolean };
  /** Classifier outputs as sent back: predicted class per input (class ids). */
  predictedClasses?: number[];
  /** Time waiting for the engine, largest over the request's prompts (ms). */
  queueMs?: number;
  /** Time from arrival to the first token written (ms), for completions. */
  ttftMs?: number;
  /** Time from arrival to the last byte written (ms). */
  totalMs: number;
  /** Bytes of the request body (bytes). */
  bodyBytes: number;
  /** The error message answered, if any. */
  error?: string;
}

/** Appends entries to a JSONL file (created if missing, never truncated). */
export class RequestLog {
  private readonly out: WriteStream;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: "a", mode: 0o600 });
    this.out.on("error", (e) => process.stderr.write(`ee serve: request log ${path}: ${e.message}\n`));
  }

  /** Append one entry. */
  write(entry: RequestLogEntry): void {
    this.out.write(`${JSON.stringify(entry)}\n`);
  }

  /** Flush and close the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

/**
 * Download progress for a batch: bytes done of total, rate and ETA. On a TTY one line is redrawn
 * (at most 5 times a second); otherwise a plain line is written every `plainEveryMs` and at the end.
 */

/** Where progress goes. */
export interface ProgressSink {
  /** Writes text as is. */
  write(text: string): unknown;
  /** True on a terminal. */
  isTTY?: boolean;
}

/** Human-readable size (bytes → "12.3 MB"). */
export function formatBytes(bytes: number): string {
  if (Math.round(bytes) < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
}

/** Batch progress; `add` as bytes arrive, `fileDone` per file, `finish` once. */
export class Progress {
  private done = 0;
  private files = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  constructor(
    private readonly sink: ProgressSink | undefined,
    private readonly totalBytes: number,
    private readonly totalFiles: number,
    private readonly label: string,
    private readonly plainEveryMs = 5000,
  ) {}

  /** Bytes received (bytes). */
  add(n: number): void {
    this.done += n;
    this.maybeDraw();
  }

  /** One more file finished. */
  fileDone(): void {
    this.files += 1;
    this.maybeDraw();
  }

  private line(): string {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    // no ETA from the first second's trickle
    const eta = rate > 0 && secs >= 1 ? (this.totalBytes - this.done) / rate : Number.POSITIVE_INFINITY;
    return `${this.label}: ${this.files}/${this.totalFiles} files, ${formatBytes(this.done)}/${formatBytes(this.totalBytes)}, ${formatBytes(rate)}/s, ETA ${formatSeconds(eta)}`;
  }

  private maybeDraw(): void {
    if (!this.sink) return;
    const now = Date.now();
    const every = this.sink.isTTY ? 200 : this.plainEveryMs;
    if (now - this.lastDraw < every) return;
    this.lastDraw = now;
    this.sink.write(this.sink.isTTY ? `\r\x1b[K${this.line()}` : `${this.line()}\n`);
  }

  /** Final line. */
  finish(): void {
    if (!this.sink) return;
    this.sink.write(this.sink.isTTY ? `\r\x1b[K${this.line()}\n` : `${this.line()}\n`);
  }
}

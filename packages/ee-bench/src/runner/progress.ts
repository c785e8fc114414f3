/**
 * Progress with ETA on stderr: a redrawn bar on a TTY, plain periodic lines otherwise (CI logs).
 * ETA = elapsed / done × remaining.
 */

/** Where progress goes: a writable with an optional `isTTY`. */
export interface ProgressStream {
  /** Writes text. */
  write(s: string): unknown;
  /** True on a terminal. */
  isTTY?: boolean;
}

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** Label before the bar (text). */
  label: string;
  /** Units to do (calls). */
  total: number;
  /** Output (default process.stderr). */
  stream?: ProgressStream;
  /** Plain mode: a line at most this often (ms); default 10 000. */
  intervalMs?: number;
  /** Clock (ms); default performance.now. */
  now?: () => number;
}

/** A progress display. */
export interface Progress {
  /** Marks `n` more units done. */
  tick(n?: number): void;
  /** Final line. */
  done(): void;
}

/** `1h02m`, `3m05s`, `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** The text of one progress state. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  width = 24,
): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const eta = done > 0 ? (elapsedMs / done) * (total - done) : Number.NaN;
  const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
  return `${label} ${bar} ${done}/${total} ${(frac * 100).toFixed(0)}% elapsed ${formatDuration(elapsedMs)} ETA ${formatDuration(eta)}`;
}

/** Creates a progress display. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const interval = tty ? 100 : (opts.intervalMs ?? 10_000);
  const start = now();
  let done = 0;
  let last = Number.NEGATIVE_INFINITY;
  const draw = (final: boolean) => {
    const line = progressLine(opts.label, done, opts.total, now() - start);
    stream.write(tty ? `\r${line}\x1b[K${final ? "\n" : ""}` : `${line}\n`);
  };
  return {
    tick(n = 1) {
      done += n;
      const t = now();
      if (t - last >= interval) {
        last = t;
        if (done < opts.total) draw(false);
      }
    },
    done() {
      draw(true);
    },
  };
}

/**
 * A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`: Chromium reads commands
 * from its fd 3 and writes replies and events to its fd 4, one JSON message per NUL-terminated frame.
 * No WebSocket and no dependency; commands to a page carry the session id of `Target.attachToTarget`
 * with `flatten: true`.
 */
import type { Readable, Writable } from "node:stream";

/** A CDP event: method, params, and the session it came from (absent for the browser). */
export interface CdpEvent {
  /** Event name, e.g. `Runtime.consoleAPICalled` (text). */
  method: string;
  /** Event parameters (JSON). */
  params: Record<string, unknown>;
  /** Session id of the page target (text). */
  sessionId?: string;
}

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string };

/** One CDP connection over a pipe pair. */
export class CdpPipe {
  private nextId = 1;
  private buffer = "";
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((e: CdpEvent) => void)[] = [];

  /** Wraps Chromium's fd 3 (`toBrowser`) and fd 4 (`fromBrowser`). */
  constructor(
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    fromBrowser.setEncoding("utf8");
    fromBrowser.on("data", (chunk: string) => this.receive(chunk));
    fromBrowser.on("close", () => this.failAll(new Error("Chromium closed the DevTools pipe")));
  }

  /** Sends a command and resolves with its result; rejects with the protocol error's message. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg = sessionId === undefined ? { id, method, params } : { id, method, params, sessionId };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.toBrowser.write(`${JSON.stringify(msg)}\0`);
    });
  }

  /** Calls `f` for every event. */
  onEvent(f: (e: CdpEvent) => void): void {
    this.listeners.push(f);
  }

  /** Resolves with the first event `match` accepts, or rejects after `timeoutMs`. */
  waitFor(match: (e: CdpEvent) => boolean, timeoutMs: number, what: string): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Chromium: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.onEvent((e) => {
        if (match(e)) {
          clearTimeout(timer);
          resolve(e);
        }
      });
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf("\0"); end >= 0; end = this.buffer.indexOf("\0")) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const msg = JSON.parse(frame) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      } & Partial<CdpEvent>;
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP ${p.method}: ${msg.error.message}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const e: CdpEvent = { method: msg.method, params: msg.params ?? {}, sessionId: msg.sessionId };
        for (const f of this.listeners) f(e);
      }
    }
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

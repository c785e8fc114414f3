/**
 * One HTTP exchange with an OpenAI-compatible server, with errors that name the endpoint: a 4xx/5xx
 * carries the server's own message (OpenAI error shape, or the body's first line), a timeout says
 * how long it waited, a refused connection says nothing listens there.
 */

/** An error talking to a server: which endpoint, what happened. */
export class HttpEngineError extends Error {
  /** HTTP status when the server answered, else null (unreachable, timeout, bad stream). */
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super(message);
    this.name = "HttpEngineError";
    this.status = status;
  }
}

/** The server's message in an error body: `error.message` (OpenAI/vLLM), `message`, `error`, or the text. */
function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const e = j.error;
    if (e && typeof e === "object" && typeof (e as Record<string, unknown>).message === "string")
      return (e as Record<string, string>).message;
    if (typeof j.message === "string") return j.message;
    if (typeof e === "string") return e;
    if (typeof j.detail === "string") return j.detail;
  } catch {
    // not JSON: the text itself
  }
  return text.split("\n")[0].slice(0, 500) || "(empty body)";
}

/** Why a fetch failed, in words (connection refused, DNS, reset…). */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused (is the server running?)";
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ""}`;
  return (e as Error).message;
}

/** Send a request and return the response once its status is 2xx; throws `HttpEngineError` otherwise. */
export async function send(
  url: string,
  init: { method: "GET" | "POST"; body?: unknown; timeoutMs: number },
): Promise<Response> {
  const where = `${init.method} ${url}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (e) {
    if ((e as Error).name === "TimeoutError")
      throw new HttpEngineError(`${where}: no answer within ${init.timeoutMs} ms (timeout)`);
    throw new HttpEngineError(`${where}: cannot reach the server: ${networkReason(e)}`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    throw new HttpEngineError(`${where}: HTTP ${res.status}: ${serverMessage(text)}`, res.status);
  }
  return res;
}

/** `send`, then the JSON body. */
export async function sendJson(
  url: string,
  init: { method: "GET" | "POST"; body?: unknown; timeoutMs: number },
): Promise<Record<string, unknown>> {
  const res = await send(url, init);
  const text = await res.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new HttpEngineError(
      `${init.method} ${url}: the answer is not JSON: ${text.slice(0, 200)}`,
      res.status,
    );
  }
}

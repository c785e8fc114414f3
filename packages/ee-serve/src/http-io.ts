/** Small HTTP helpers: a size-limited JSON body reader and JSON / SSE writers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./errors.js";

/** Read the whole body, refusing more than `limitBytes` (413) and malformed JSON (400). */
export async function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
): Promise<{ body: unknown; bytes: number }> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes)
    throw new ApiError(
      413,
      `request body of ${declared} bytes exceeds the server's limit of ${limitBytes} bytes`,
    );
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > limitBytes)
      throw new ApiError(413, `request body exceeds the server's limit of ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new ApiError(400, "request body is empty: send a JSON object");
  try {
    return { body: JSON.parse(text), bytes };
  } catch (e) {
    throw new ApiError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Answer `status` with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(data),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(data);
}

/** Start a Server-Sent Events response. */
export function startEvents(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
}

/** One SSE event, `data: <json>` (or `data: [DONE]`); nothing once the client has gone. */
export function sendEvent(res: ServerResponse, data: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/** An SSE comment line (`: text`), ignored by clients; keeps an idle stream alive. */
export function sendComment(res: ServerResponse, text: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`: ${text}\n\n`);
}

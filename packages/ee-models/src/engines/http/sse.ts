/**
 * Server-Sent Events as OpenAI-compatible servers stream them: events separated by a blank line,
 * each with `data: <payload>` lines; the stream ends with `data: [DONE]` (or just ends).
 */

/** The `data` payload of each event, in order, as the bytes arrive. `[DONE]` ends the iteration. */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body) {
    // normalise CRLF on the whole buffer: a "\r\n" may be split across two chunks
    buf = (buf + decoder.decode(chunk, { stream: true })).replaceAll("\r\n", "\n");
    let cut = buf.indexOf("\n\n");
    while (cut >= 0) {
      const data = eventData(buf.slice(0, cut));
      buf = buf.slice(cut + 2);
      if (data === "[DONE]") return;
      if (data !== null) yield data;
      cut = buf.indexOf("\n\n");
    }
  }
  const data = eventData(buf + decoder.decode());
  if (data !== null && data !== "[DONE]") yield data;
}

/** The joined `data:` lines of one event, or null when it has none (comments, keep-alives). */
export function eventData(event: string): string | null {
  const lines = event
    .split("\n")
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).replace(/^ /, ""));
  return lines.length === 0 ? null : lines.join("\n");
}

/** SSE parsing of the http engine: events split anywhere across chunks, CRLF, comments, [DONE]. */
import { describe, expect, it } from "vitest";
import { eventData, sseData } from "../../../src/engines/http/sse.js";

async function collect(chunks: string[]): Promise<string[]> {
  const enc = new TextEncoder();
  async function* body() {
    for (const c of chunks) yield enc.encode(c);
  }
  const out: string[] = [];
  for await (const d of sseData(body())) out.push(d);
  return out;
}

describe("sseData", () => {
  const stream =
    'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\r\n\r\ndata: [DONE]\n\ndata: {"after":3}\n\n';

  it("yields each event's data, stops at [DONE], skips comments", async () => {
    expect(await collect([stream])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("gives the same events however the bytes are split", async () => {
    for (let cut = 1; cut < stream.length; cut += 3) {
      expect(await collect([stream.slice(0, cut), stream.slice(cut)])).toEqual(['{"a":1}', '{"b":2}']);
    }
    expect(await collect(stream.split(""))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("keeps a last event without a trailing blank line, and joins multi-line data", async () => {
    expect(await collect(['data: {"x":1}'])).toEqual(['{"x":1}']);
    expect(eventData("data: a\ndata: b")).toBe("a\nb");
    expect(eventData(": only a comment")).toBeNull();
  });
});

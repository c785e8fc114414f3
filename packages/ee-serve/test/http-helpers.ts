/** Test helpers over real loopback HTTP: JSON posts, raw posts, and SSE parsing. */

/** A parsed JSON answer, read field by field by the tests (whose expectations check its shape). */
// biome-ignore lint/suspicious/noExplicitAny: test code reads arbitrary JSON answers
export type Json = any;

/** POST `body` (an object, or a raw string sent as is) and read the JSON answer. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** POST a streaming request; returns the parsed `data:` events (JSON objects) and whether `[DONE]` came last. */
export async function postStream(
  url: string,
  body: unknown,
): Promise<{ status: number; events: Json[]; done: boolean }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const datas = text
    .split("\n\n")
    .map((b) => b.trim())
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6));
  const done = datas[datas.length - 1] === "[DONE]";
  return { status: res.status, events: datas.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)), done };
}

/** Token ids per choice index, gathered from streamed chunks (`token_ids`). */
export function streamedIds(events: Json[], n: number): number[][] {
  const out = Array.from({ length: n }, () => [] as number[]);
  for (const e of events) for (const c of e.choices ?? []) out[c.index].push(...(c.token_ids ?? []));
  return out;
}

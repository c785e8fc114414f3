// A loopback HTTP server (127.0.0.1 only) that plays the public origins for tests and manual checks.
//  - GitHub raw: GET/HEAD /{owner}/{repo}/{commit}/{path}, answered from a data directory in the mirror
//    layout through manifest TSVs (MANIFEST.tsv or datasets/origins.tsv: path, bytes, sha256,
//    origin_repo, origin_path, origin_commit).
//  - Hugging Face Hub: GET/HEAD /{owner}/{name}/resolve/{rev}/{path} (and /datasets/…), answered from a
//    folder `hubRoot/{owner}/{name}/{path}` with X-Repo-Commit and ETag/X-Linked-Etag headers like the Hub.
// Range requests (bytes=N-) get 206. Faults for tests: cut a body once, corrupt bytes, fail with 503
// a number of times, gated repos (401 without the right token, 403 with a wrong one).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

/** Reads manifest TSVs into a map "owner/repo/commit/originPath" → logical path. */
export function originIndex(tsvFiles) {
  const index = new Map();
  for (const file of tsvFiles) {
    const lines = readFileSync(file, "utf8").split("\n");
    const header = lines[0].split("\t");
    const col = (n) => header.indexOf(n);
    const [p, r, op, c] = ["path", "origin_repo", "origin_path", "origin_commit"].map(col);
    if ([p, r, op, c].some((i) => i < 0)) throw new Error(`${file}: not a manifest TSV`);
    for (const line of lines.slice(1)) {
      if (line.trim() === "") continue;
      const cols = line.split("\t");
      index.set(`${cols[r]}/${cols[c]}/${cols[op]}`, cols[p]);
    }
  }
  return index;
}

const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const gitBlobSha1 = (b) => createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const LFS = /\.(safetensors|bin|onnx|parquet|model)$/;

/**
 * Starts the server. Options: dataDir, tsvFiles (for GitHub raw), hubRoot, hubCommit (40 hex),
 * gated (repo names), token, faults: { cutOnce: Set<url path>, corrupt: Set<url path>,
 * fail503: Map<url path, times> }, delayMs (before each GET answer). Resolves to { url, port, requests, close() }.
 */
export async function startOriginServer(opts = {}) {
  const index = opts.tsvFiles ? originIndex(opts.tsvFiles) : new Map();
  const faults = { cutOnce: new Set(), corrupt: new Set(), fail503: new Map(), ...(opts.faults ?? {}) };
  const gated = new Set(opts.gated ?? []);
  const hubCommit = opts.hubCommit ?? "0123456789abcdef0123456789abcdef01234567";
  const requests = [];

  const locate = (urlPath) => {
    const parts = urlPath.split("/").slice(1).map(decodeURIComponent);
    const isDataset = parts[0] === "datasets";
    const hub = isDataset ? parts.slice(1) : parts;
    if (hub[2] === "resolve" && opts.hubRoot) {
      const repo = `${hub[0]}/${hub[1]}`;
      const file = join(opts.hubRoot, hub[0], hub[1], ...hub.slice(4));
      return { kind: "hub", repo, file };
    }
    const logical = index.get(parts.join("/"));
    return logical && opts.dataDir ? { kind: "github", file: join(opts.dataDir, logical) } : undefined;
  };

  const server = createServer((req, res) => {
    const urlPath = new URL(req.url, "http://x").pathname;
    requests.push({ method: req.method, path: urlPath, range: req.headers.range });
    const left = faults.fail503.get(urlPath) ?? 0;
    if (left > 0) {
      faults.fail503.set(urlPath, left - 1);
      res.writeHead(503).end("busy");
      return;
    }
    const hit = locate(urlPath);
    if (hit?.kind === "hub" && gated.has(hit.repo)) {
      const auth = req.headers.authorization;
      if (auth !== `Bearer ${opts.token}`) {
        res.writeHead(auth ? 403 : 401).end("gated");
        return;
      }
    }
    if (!hit || !existsSync(hit.file) || !statSync(hit.file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    let body = readFileSync(hit.file);
    const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
    if (hit.kind === "hub") {
      headers["x-repo-commit"] = hubCommit;
      if (LFS.test(hit.file)) {
        headers["x-linked-etag"] = `"${sha256(body)}"`;
        headers["x-linked-size"] = String(body.length);
        headers.etag = `"${sha256(body)}"`;
      } else headers.etag = `"${gitBlobSha1(body)}"`;
    }
    if (faults.corrupt.has(urlPath)) {
      body = Buffer.from(body);
      body[0] ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    let status = 200;
    if (m) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      headers["content-range"] = `bytes ${start}-${body.length - 1}/${body.length}`;
      body = body.subarray(start);
      status = 206;
    }
    headers["content-length"] = String(body.length);
    if (opts.delayMs && req.method === "GET") {
      setTimeout(() => send(req, res, urlPath, status, headers, body), opts.delayMs);
      return;
    }
    send(req, res, urlPath, status, headers, body);
  });

  const send = (req, res, urlPath, status, headers, body) => {
    res.writeHead(status, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (faults.cutOnce.has(urlPath) && body.length > 1) {
      faults.cutOnce.delete(urlPath);
      // half the body, then close the connection (FIN, so the half that was sent arrives)
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.end());
      return;
    }
    res.end(body);
  };
  await new Promise((ok) => server.listen(opts.port ?? 0, "127.0.0.1", ok));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    faults,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

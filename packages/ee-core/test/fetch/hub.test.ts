/** Hub snapshots in the Hugging Face cache layout, through the real download code and a loopback Hub. */
import { createHash, randomBytes } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OriginServer, startOriginServer } from "../../../../scripts/origin-server.mjs";
import type { FetchError } from "../../src/fetch/errors.js";
import { hubRepoDir, hubSnapshot } from "../../src/fetch/hub.js";
import { parseHubRef } from "../../src/fetch/origins.js";
import { FAST, tempSettings } from "./helpers.js";

const COMMIT = "c0ffee0000000000000000000000000000000001";
const hubRoot = mkdtempSync(join(tmpdir(), "ee-hub-"));
const files: Record<string, Buffer> = {};
function put(repoPath: string, data: Buffer | string) {
  const p = join(hubRoot, repoPath);
  mkdirSync(dirname(p), { recursive: true });
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  writeFileSync(p, b);
  files[repoPath] = b;
}
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

put("tests/single/config.json", JSON.stringify({ model_type: "bert", hidden_size: 8 }));
put("tests/single/model.safetensors", randomBytes(300_000));
put("tests/single/tokenizer.json", "{}");
put("tests/single/vocab.txt", "[PAD]\n[UNK]\n");
put("tests/sharded/config.json", JSON.stringify({ model_type: "llama" }));
put(
  "tests/sharded/model.safetensors.index.json",
  JSON.stringify({
    weight_map: {
      a: "model-00001-of-00002.safetensors",
      b: "model-00002-of-00002.safetensors",
      c: "model-00001-of-00002.safetensors",
    },
  }),
);
put("tests/sharded/model-00001-of-00002.safetensors", randomBytes(1000));
put("tests/sharded/model-00002-of-00002.safetensors", randomBytes(1000));
put("tests/torch/config.json", "{}");
put("tests/torch/pytorch_model.bin", randomBytes(2000));
put("gated-org/gated-model/config.json", "{}");
put("gated-org/gated-model/model.safetensors", randomBytes(100));

let server: OriginServer;
beforeAll(async () => {
  server = await startOriginServer({
    hubRoot,
    hubCommit: COMMIT,
    gated: ["gated-org/gated-model"],
    token: "hf_good",
  });
});
afterAll(() => server.close());

describe("hubSnapshot", () => {
  it("a single-file model: config, weights, tokenizer files; HF cache layout; then a cache hit", async () => {
    const s = tempSettings(server);
    const snap = await hubSnapshot(parseHubRef("hf:tests/single"), { settings: s, ...FAST });
    const repoDir = hubRepoDir(s, "tests/single");
    expect(repoDir).toBe(join(s.hfHome, "hub", "models--tests--single"));
    expect(snap.commit).toBe(COMMIT);
    expect(snap.dir).toBe(join(repoDir, "snapshots", COMMIT));
    expect(snap.files.sort()).toEqual(["config.json", "model.safetensors", "tokenizer.json", "vocab.txt"]);
    expect(readFileSync(join(repoDir, "refs", "main"), "utf8")).toBe(COMMIT);
    const link = join(snap.dir, "model.safetensors");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join("..", "..", "blobs", sha(files["tests/single/model.safetensors"])));
    expect(readFileSync(link).equals(files["tests/single/model.safetensors"])).toBe(true);
    expect(snap.downloadedFiles).toBe(4);
    // the sha256 of each file is recorded beside the cache on first download
    const pins = readFileSync(
      join(s.cacheDir, "hub-sha256", "models--tests--single", `${COMMIT}.tsv`),
      "utf8",
    );
    expect(pins).toContain(
      `config.json\t${files["tests/single/config.json"].length}\t${sha(files["tests/single/config.json"])}`,
    );

    const gets = server.requests.filter((r) => r.method === "GET").length;
    const again = await hubSnapshot(parseHubRef("hf:tests/single@main"), { settings: s, ...FAST });
    expect(again.dir).toBe(snap.dir);
    expect(again.cachedFiles).toBe(4);
    expect(server.requests.filter((r) => r.method === "GET").length).toBe(gets);
  });

  it("a sharded safetensors model gets its index and every shard once", async () => {
    const s = tempSettings(server);
    const snap = await hubSnapshot(parseHubRef(`hf:tests/sharded@${COMMIT}`), { settings: s, ...FAST });
    expect(snap.files.sort()).toEqual([
      "config.json",
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      "model.safetensors.index.json",
    ]);
    expect(readdirSync(join(hubRepoDir(s, "tests/sharded"), "blobs"))).toHaveLength(4);
  });

  it("a PyTorch-only model gets pytorch_model.bin", async () => {
    const s = tempSettings(server);
    const snap = await hubSnapshot(parseHubRef("hf:tests/torch"), { settings: s, ...FAST });
    expect(snap.files.sort()).toEqual(["config.json", "pytorch_model.bin"]);
  });

  it("a gated repository: 401 without a token, 403 with a wrong one — each says how to get access", async () => {
    const ref = parseHubRef("hf:gated-org/gated-model");
    const none = await hubSnapshot(ref, { settings: tempSettings(server), ...FAST }).catch((e) => e);
    expect((none as FetchError).kind).toBe("gated");
    expect((none as FetchError).status).toBe(401);
    expect((none as Error).message).toMatch(
      /gated or private.*Accept the licence on .*gated-org\/gated-model.*set HF_TOKEN/,
    );
    const wrong = await hubSnapshot(ref, {
      settings: tempSettings(server, { hfToken: "hf_bad" }),
      ...FAST,
    }).catch((e) => e);
    expect((wrong as FetchError).status).toBe(403);
    expect((wrong as Error).message).toMatch(/your HF_TOKEN has no access.*Accept the licence/);
    const ok = await hubSnapshot(ref, { settings: tempSettings(server, { hfToken: "hf_good" }), ...FAST });
    expect(ok.files.sort()).toEqual(["config.json", "model.safetensors"]);
  });

  it("offline: the cached snapshot without a request; an uncached one is a clear error", async () => {
    const s = tempSettings(server);
    await hubSnapshot(parseHubRef("hf:tests/torch"), { settings: s, ...FAST });
    const seen = server.requests.length;
    const snap = await hubSnapshot(parseHubRef("hf:tests/torch"), { settings: { ...s, offline: true } });
    expect(snap.commit).toBe(COMMIT);
    const err = await hubSnapshot(parseHubRef("hf:tests/single"), {
      settings: { ...s, offline: true },
    }).catch((e) => e);
    expect((err as FetchError).kind).toBe("offline");
    expect((err as Error).message).toMatch(/not in the Hub cache.*ee -- fetch --model hf:tests\/single@main/);
    expect(server.requests.length).toBe(seen);
  });

  it("a missing repository is a 404 naming it", async () => {
    const err = await hubSnapshot(parseHubRef("hf:tests/nope"), {
      settings: tempSettings(server),
      ...FAST,
    }).catch((e) => e);
    expect((err as FetchError).kind).toBe("not-found");
    expect((err as Error).message).toMatch(/tests\/nope\/config\.json: not found on the Hub/);
  });

  it("hf: references parse, and bad ones are named", () => {
    expect(parseHubRef("hf:a/b")).toEqual({ repo: "a/b", revision: "main" });
    expect(parseHubRef("hf:a/b@v1.0")).toEqual({ repo: "a/b", revision: "v1.0" });
    expect(() => parseHubRef("hf:nope")).toThrow(/"hf:nope" is not a Hub reference/);
  });
});

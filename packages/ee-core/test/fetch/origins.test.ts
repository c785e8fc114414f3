/** Origin URL layouts, the origins manifest's checks, and progress lines. */
import { describe, expect, it } from "vitest";
import { parseOriginsManifest } from "../../src/fetch/manifest.js";
import { originUrl } from "../../src/fetch/origins.js";
import { formatBytes, Progress } from "../../src/fetch/progress.js";
import { fetchSettings } from "../../src/fetch/settings.js";

const s = fetchSettings({ HOME: "/h" });
const HEADER = "path\tbytes\tsha256\torigin_repo\torigin_path\torigin_commit\n";
const SHA = "a".repeat(64);
const COMMIT = "b".repeat(40);

describe("origins", () => {
  it("GitHub raw at a pinned commit, Hub model and dataset resolve URLs", () => {
    expect(
      originUrl({ kind: "github", repo: "lm-sys/FastChat", commit: COMMIT, path: "a b/q.jsonl" }, s),
    ).toBe(`https://raw.githubusercontent.com/lm-sys/FastChat/${COMMIT}/a%20b/q.jsonl`);
    expect(
      originUrl({ kind: "hub", repoType: "model", repo: "o/n", revision: "main", path: "config.json" }, s),
    ).toBe("https://huggingface.co/o/n/resolve/main/config.json");
    expect(
      originUrl({ kind: "hub", repoType: "dataset", repo: "o/d", revision: COMMIT, path: "x/t.parquet" }, s),
    ).toBe(`https://huggingface.co/datasets/o/d/resolve/${COMMIT}/x/t.parquet`);
  });

  it("the origins manifest names the file and line of a bad entry", () => {
    const ok = parseOriginsManifest(`${HEADER}d/f.txt\t3\t${SHA}\to/r\tp/f.txt\t${COMMIT}\n`, "m.tsv");
    expect(ok.files.get("d/f.txt")).toEqual({
      path: "d/f.txt",
      bytes: 3,
      sha256: SHA,
      origin: { kind: "github", repo: "o/r", path: "p/f.txt", commit: COMMIT },
    });
    expect(() => parseOriginsManifest(`${HEADER}d/f.txt\t3\tnothex\to/r\tp\t${COMMIT}\n`, "m.tsv")).toThrow(
      'm.tsv:2: sha256 "nothex" is not 64 lowercase hex digits',
    );
    expect(() => parseOriginsManifest(`${HEADER}../f\t3\t${SHA}\to/r\tp\t${COMMIT}\n`, "m.tsv")).toThrow(
      'm.tsv:2: bad path "../f"',
    );
    expect(() => parseOriginsManifest(`${HEADER}f\t3\t${SHA}\to/r\tp\tmain\n`, "m.tsv")).toThrow(
      'm.tsv:2: origin_commit "main" is not a 40-hex commit',
    );
    expect(() => parseOriginsManifest("path\tsize\n", "m.tsv")).toThrow("m.tsv:1: header must start with");
  });
});

describe("progress", () => {
  it("plain lines off a terminal: files, bytes of total, rate, ETA; a final line", () => {
    const out: string[] = [];
    const p = new Progress({ write: (t) => out.push(t), isTTY: false }, 2_000_000, 2, "fetching", 0);
    p.add(1_000_000);
    p.fileDone();
    p.finish();
    expect(out.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(out.at(-1)).toMatch(/^fetching: 1\/2 files, 1\.0 MB\/2\.0 MB, .*\/s, ETA /);
  });

  it("one redrawn line on a terminal", () => {
    const out: string[] = [];
    const p = new Progress({ write: (t) => out.push(t), isTTY: true }, 10, 1, "x");
    p.add(10);
    p.fileDone();
    p.finish();
    expect(out.every((l) => l.startsWith("\r\x1b[K"))).toBe(true);
    expect(out.at(-1)).toMatch(/1\/1 files, 10 B\/10 B.*\n$/);
  });

  it("sizes", () => {
    expect([formatBytes(999.6), formatBytes(48929), formatBytes(5_579_683), formatBytes(3e9)]).toEqual([
      "1.0 kB",
      "48.9 kB",
      "5.6 MB",
      "3.00 GB",
    ]);
  });
});

import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openShardedSafetensors } from "ee-core";
import { afterAll, describe, expect, it } from "vitest";
import { CheckpointWriter } from "../../src/checkpoint/writer.js";
import { tempDir } from "../fixtures.js";

const tmp = tempDir("ckpt-writer");
afterAll(() => tmp.cleanup());

const ramp = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.5 + k);

describe("CheckpointWriter", () => {
  it("shards above the limit with an index, tensors written in parts and in any order, dtypes narrowed", () => {
    const dir = join(tmp.dir, "sharded");
    mkdirSync(dir);
    // 3 tensors of 64 elements: a 300-byte limit puts the F32 one (256 B) alone, the two BF16 (128 B) together
    const w = new CheckpointWriter(
      dir,
      [
        { name: "a", dtype: "F32", shape: [8, 8] },
        { name: "b", dtype: "BF16", shape: [64] },
        { name: "c", dtype: "BF16", shape: [4, 16] },
      ],
      300,
    );
    w.write("c", { dtype: "F32", shape: [4, 16], data: ramp(64, 3) });
    w.writePart("a", 32, ramp(64, 1).subarray(32));
    w.writePart("a", 0, ramp(64, 1).subarray(0, 32));
    w.write("b", { dtype: "F32", shape: [64], data: ramp(64, 2) });
    expect(w.finish()).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      "model.safetensors.index.json",
    ]);
    const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8"));
    expect(index.weight_map).toEqual({
      a: "model-00001-of-00002.safetensors",
      b: "model-00002-of-00002.safetensors",
      c: "model-00002-of-00002.safetensors",
    });
    expect(index.metadata.total_size).toBe(256 + 128 + 128);
    const r = openShardedSafetensors(dir);
    try {
      expect(r.info("b").dtype).toBe("BF16");
      for (const [n, k] of [
        ["a", 1],
        ["b", 2],
        ["c", 3],
      ] as const)
        expect(Array.from(r.read(n).data as Float32Array), n).toEqual(Array.from(ramp(64, k)));
    } finally {
      r.close();
    }
  });

  it("refuses unplanned, mis-shaped and twice-written tensors; publishes nothing when one is missing", () => {
    const dir = join(tmp.dir, "missing");
    mkdirSync(dir);
    const w = new CheckpointWriter(dir, [
      { name: "x", dtype: "F32", shape: [2, 2] },
      { name: "y", dtype: "F16", shape: [3] },
    ]);
    expect(() => w.write("z", { dtype: "F32", shape: [1], data: new Float32Array(1) })).toThrow(
      "checkpoint writer: tensor z was not planned",
    );
    expect(() => w.write("x", { dtype: "F32", shape: [4], data: new Float32Array(4) })).toThrow(
      "checkpoint writer: tensor x has shape [4], planned [2,2]",
    );
    w.write("x", { dtype: "F32", shape: [2, 2], data: new Float32Array(4) });
    expect(() => w.write("x", { dtype: "F32", shape: [2, 2], data: new Float32Array(4) })).toThrow(
      "checkpoint writer: tensor x written twice",
    );
    expect(() => w.finish()).toThrow("checkpoint writer: 1 planned tensors never written (y)");
    expect(readdirSync(dir)).toEqual([]);
  });
});

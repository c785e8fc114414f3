import { afterAll, describe, expect, it } from "vitest";
import { bertArchitecture } from "../../src/bert/architecture.js";
import { GraphBuilder } from "../../src/onnx/builder.js";
import { onnx } from "../../src/onnx/proto.js";
import { readModelProto, readOnnxInitializers } from "../../src/onnx/reader.js";
import { seeded, tempDir, tinyEncoderJson } from "../fixtures.js";

const tmp = tempDir("reader");
afterAll(() => tmp.cleanup());

describe("readModelProto", () => {
  it("merges the streamed initializer segments (plain protobufjs decode keeps only the last)", async () => {
    const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny");
    const w = bertArchitecture.syntheticWeights(cfg, seeded("reader"));
    const built = await bertArchitecture.buildOnnx(cfg, w, tmp.dir, { fused: false });
    const m = readModelProto(built.onnxPath);
    expect(m.graph?.node?.length).toBe(built.numNodes);
    expect(m.graph?.input?.map((v) => v.name)).toEqual(built.inputNames);
    expect(Number(m.irVersion)).toBe(8);
    expect(Number(m.opsetImport?.[0]?.version)).toBe(17);
    const names = new Set(m.graph?.initializer?.map((t) => t.name));
    for (const n of w.keys()) expect(names.has(n)).toBe(true);
    const cls = m.graph?.initializer?.find((t) => t.name === "classifier.bias");
    expect(new Float32Array(cls?.rawData?.slice().buffer as ArrayBuffer)).toEqual(
      w.get("classifier.bias")?.data,
    );
  });

  for (const threshold of [undefined, 0]) {
    it(`readOnnxInitializers returns stored tensors (${threshold === 0 ? "external" : "inline"} data) and names missing ones`, async () => {
      const cfg = bertArchitecture.parseConfig(tinyEncoderJson("bert"), "tiny");
      const w = bertArchitecture.syntheticWeights(cfg, seeded("reader-init"));
      const built = await bertArchitecture.buildOnnx(cfg, w, `${tmp.dir}/init-${threshold}`, {
        fused: false,
        externalDataThresholdBytes: threshold,
      });
      expect(built.externalDataPath !== undefined).toBe(threshold === 0);
      const E = "bert.embeddings.word_embeddings.weight";
      const Q = "bert.encoder.layer.1.attention.self.query.weight"; // stored transposed for MatMul
      const got = readOnnxInitializers(built.onnxPath, [E, Q]);
      expect(got.get(E)).toEqual({
        dtype: "F32",
        shape: [cfg.vocabSize, cfg.hiddenSize],
        data: w.get(E)?.data,
      });
      const q = got.get(Q);
      const d = cfg.hiddenSize;
      expect(q?.shape).toEqual([d, d]);
      expect(q?.data[1 * d + 2]).toBe(w.get(Q)?.data[2 * d + 1]);
      expect(() => readOnnxInitializers(built.onnxPath, [E, "nope", "also.nope"])).toThrow(
        `${built.onnxPath}: no initializer named nope, also.nope`,
      );
    });
  }

  it("reads a one-segment model like ModelProto.decode", () => {
    const g = new GraphBuilder("id");
    g.output(g.input("x", "float32", [2]), "y", "float32", [2]);
    const bytes = onnx.ModelProto.encode(g.modelProto()).finish();
    expect(onnx.ModelProto.toObject(readModelProto(bytes))).toEqual(
      onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes)),
    );
  });
});

import { AutoModelForCausalLM, env, type PreTrainedModel, Tensor } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLMSession } from "../../src/engines/onnxruntime/causal-lm.js";
import { writeModelFolder } from "../../src/folder.js";
import { llamaArchitecture } from "../../src/llama/architecture.js";
import { buildTinyFolder, maxAbsDiff, tempDir, tinyConfig, tinyWeights } from "./helpers.js";

const cfg = tinyConfig();
const weights = tinyWeights(cfg, 5);
const prompts = [
  [5, 17, 300, 42, 8, 99, 123],
  [400, 3, 77, 250],
];
const T = 7;
const padded = prompts.map((p) => [...new Array<number>(T - p.length).fill(0), ...p]);
const mask = prompts.map((p) => [...new Array<number>(T - p.length).fill(0), ...p.map(() => 1)]);
const i64 = (rows: number[][]) =>
  new Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

describe("transformers.js loads an exported llama-tiny folder", () => {
  let built: Awaited<ReturnType<typeof buildTinyFolder>>;
  let model: PreTrainedModel;
  let ours: CausalLMSession;

  beforeAll(async () => {
    built = await buildTinyFolder(cfg, weights);
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.useFSCache = false;
    model = await AutoModelForCausalLM.from_pretrained(built.dir, {
      local_files_only: true,
      dtype: "fp32",
      device: "cpu",
    });
    ours = await CausalLMSession.open(built.dir);
  });
  afterAll(async () => {
    await model?.dispose();
    await ours?.dispose();
    built?.cleanup();
  });

  it("as LlamaForCausalLM whose forward logits equal our runner's (left-padded batch)", async () => {
    expect(model.constructor.name).toBe("LlamaForCausalLM");
    const out = (await model({ input_ids: i64(padded), attention_mask: i64(mask) })) as { logits: Tensor };
    expect(out.logits.dims).toEqual([2, T, cfg.vocabSize]);
    const pre = await ours.prefill(prompts);
    const V = cfg.vocabSize;
    const real = (i: number) => mask[Math.floor(i / (T * V))][Math.floor(i / V) % T] === 1;
    expect(maxAbsDiff(out.logits.data as Float32Array, pre.allLogits, real)).toBeLessThan(1e-5);
  });

  it("also with the weights in onnx/model.onnx_data (external data)", async () => {
    const t = tempDir("llama-tjs-ext");
    try {
      const w = await writeModelFolder(t.dir, llamaArchitecture, cfg, weights, {
        build: { fused: false, externalDataThresholdBytes: 0 },
        saveWeights: false,
      });
      expect(w.build.externalDataSizeBytes).toBeGreaterThan(0);
      const ext = await AutoModelForCausalLM.from_pretrained(t.dir, {
        local_files_only: true,
        dtype: "fp32",
        device: "cpu",
      });
      const out = (await ext({ input_ids: i64(padded), attention_mask: i64(mask) })) as { logits: Tensor };
      const pre = await ours.prefill(prompts);
      const V = cfg.vocabSize;
      const real = (i: number) => mask[Math.floor(i / (T * V))][Math.floor(i / V) % T] === 1;
      expect(maxAbsDiff(out.logits.data as Float32Array, pre.allLogits, real)).toBeLessThan(1e-5);
      await ext.dispose();
    } finally {
      t.cleanup();
    }
  });

  it("and its greedy generate gives our runner's tokens", async () => {
    const maxNewTokens = 6;
    const seq = (await model.generate({
      input_ids: i64(padded),
      attention_mask: i64(mask),
      max_new_tokens: maxNewTokens,
      do_sample: false,
    })) as Tensor;
    const theirs = (seq.tolist() as bigint[][]).map((row) => row.slice(T).map(Number));
    const res = await ours.generate(prompts, { maxNewTokens });
    expect(res.sequences.map((s) => s.tokenIds.length).reduce((x, y) => x + y)).toBeGreaterThan(maxNewTokens); // not vacuous
    res.sequences.forEach((s, b) => {
      // transformers.js pads a finished row after its eos; compare up to and including eos
      expect(theirs[b].slice(0, s.tokenIds.length)).toEqual(s.tokenIds);
    });
  });
});

import { ClassifierSession, createSession, tensorI64 } from "/work/main/packages/ee-models/dist/index.js";
import { AutoModelForSequenceClassification, Tensor, env } from "@huggingface/transformers";
const dir = "/work/main/models/bench/bert-base-plain";
env.allowRemoteModels = false;
const T = 128;
const ids = new BigInt64Array(T).map((_, i) => BigInt(1000 + i * 7));
const mask = new BigInt64Array(T).fill(1n), tt = new BigInt64Array(T);
const plain = await ClassifierSession.open(dir, { loadTokenizer: false });
const raw = await createSession(`${dir}/onnx/model.onnx`);
const hf = await AutoModelForSequenceClassification.from_pretrained(dir, { local_files_only: true, dtype: "fp32", device: "cpu" });
const batch = { inputIds: ids, attentionMask: mask, tokenTypeIds: tt, batchSize: 1, seqLen: T };
const hfIn = { input_ids: new Tensor("int64", ids, [1, T]), attention_mask: new Tensor("int64", mask, [1, T]), token_type_ids: new Tensor("int64", tt, [1, T]) };
const fns = {
  ours: () => plain.runIds(batch),
  raw: () => raw.run({ input_ids: tensorI64(ids, [1, T]), attention_mask: tensorI64(mask, [1, T]), token_type_ids: tensorI64(tt, [1, T]) }),
  tjs: () => hf(hfIn),
};
const t = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
for (const f of Object.values(fns)) { await f(); await f(); }
for (let r = 0; r < 25; r++) for (const [k, f] of (r % 2 ? Object.entries(fns).reverse() : Object.entries(fns))) { const t0 = performance.now(); await f(); t[k].push(performance.now() - t0); }
for (const [k, xs] of Object.entries(t)) { xs.sort((a, b) => a - b); console.log(k, "median", xs[12].toFixed(1), "min", xs[0].toFixed(1)); }

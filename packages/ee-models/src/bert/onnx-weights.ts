/**
 * An encoder's weights read back out of its ONNX file in HF layout (`[out, in]` Linear weights): the
 * graph (`graph.ts`) stores every Linear weight transposed for MatMul (`[in, out]`) under its HF name
 * and the embedding tables as they are. What a server holding only the encrypted ONNX file can
 * recover of the checkpoint, e.g. to run its own forward on chosen inputs.
 */
import type { StateDict, Tensor } from "ee-core";
import { transpose2d } from "../onnx/builder.js";
import { readOnnxInitializers } from "../onnx/reader.js";

/** True for the 2-D tensors the encoder graph stores transposed (everything but the embedding tables). */
const storedTransposed = (name: string, shape: readonly number[]): boolean =>
  shape.length === 2 && !name.includes(".embeddings.");

/**
 * The tensors named in `shapes` (HF name → HF shape) out of `onnxPath`, in HF layout. A tensor whose
 * stored shape is neither the HF shape nor (for a transposed one) its reverse is an error naming it;
 * a fused build (packed QKV under another name) is refused with the reason.
 */
export function readEncoderOnnxWeights(
  onnxPath: string,
  shapes: ReadonlyMap<string, readonly number[]>,
): StateDict {
  let stored: StateDict;
  try {
    stored = readOnnxInitializers(onnxPath, [...shapes.keys()]);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(
      /attention\.self\.(query|key|value)\.weight/.test(msg)
        ? `${msg} (a fused build packs Q, K and V into one initializer; rebuild without --fused to read its weights back)`
        : msg,
    );
  }
  const out: StateDict = new Map();
  for (const [name, hf] of shapes) {
    const t = stored.get(name) as Tensor;
    const transposed = storedTransposed(name, hf);
    const want = transposed ? [hf[1], hf[0]] : [...hf];
    if (t.shape.length !== want.length || t.shape.some((n, i) => n !== want[i]))
      throw new Error(
        `${onnxPath}: initializer ${name} has shape [${t.shape.join(", ")}], expected [${want.join(", ")}] (HF [${hf.join(", ")}]${transposed ? ", stored transposed" : ""})`,
      );
    out.set(
      name,
      transposed
        ? { dtype: "F32", shape: [...hf], data: transpose2d(t.data as Float32Array, hf[1], hf[0]) }
        : t,
    );
  }
  return out;
}

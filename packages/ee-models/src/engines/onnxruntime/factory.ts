/**
 * The onnxruntime engine's registry row: availability per device and `open` with `EngineOptions`
 * mapped onto onnxruntime session options. Engine-specific `extra` keys: `interOpThreads` (threads),
 * `graphOptimizationLevel` (`disabled` | `basic` | `extended` | `all`) and `memArena` (boolean: false
 * frees each intermediate buffer instead of keeping it in onnxruntime's arena — for models whose
 * float16 matrices are cast to float32 on the fly, where an arena would keep every cast resident).
 */
import type { EngineFactory, EngineInfo, EngineOptions } from "../engine.js";
import { OnnxruntimeEngine } from "./engine.js";
import { cudaMissingDetail, cudaUnavailableMessage, ortVersion, type SessionOptions } from "./runtime.js";

const OPT_LEVELS = ["disabled", "basic", "extended", "all"] as const;

/** onnxruntime session options for engine options; unknown or ill-typed `extra` keys are errors. */
export function sessionOptionsOf(opts: EngineOptions): SessionOptions {
  const device = opts.device ?? "cpu";
  if (device !== "cpu" && device !== "cuda")
    throw new Error(`engine onnxruntime: device ${String(device)}: expected "cpu" or "cuda"`);
  const s: SessionOptions = { device };
  if (opts.threads !== undefined) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1)
      throw new Error(`engine onnxruntime: threads must be an integer >= 1, got ${opts.threads}`);
    s.intraOpThreads = opts.threads;
  }
  if (opts.allowSpinning !== undefined) s.allowSpinning = opts.allowSpinning;
  for (const [k, v] of Object.entries(opts.extra ?? {})) {
    if (k === "interOpThreads" && Number.isInteger(v) && (v as number) >= 1) s.interOpThreads = v as number;
    else if (k === "graphOptimizationLevel" && OPT_LEVELS.includes(v as (typeof OPT_LEVELS)[number]))
      s.graphOptimizationLevel = v as (typeof OPT_LEVELS)[number];
    else if (k === "memArena" && typeof v === "boolean") s.memArena = v;
    else
      throw new Error(
        `engine onnxruntime: bad option extra.${k} = ${JSON.stringify(v)} (known: interOpThreads >= 1, graphOptimizationLevel ${OPT_LEVELS.join("|")}, memArena true|false)`,
      );
  }
  return s;
}

/** What reports say about a session opened with `s`. */
function infoOf(s: SessionOptions): EngineInfo {
  const device = s.device ?? "cpu";
  const v = ortVersion();
  return {
    name: "onnxruntime",
    label: `ORT ${v.split(".").slice(0, 2).join(".")} (${device})`,
    runtimeVersion: v,
    device,
    ...(s.intraOpThreads !== undefined ? { threads: s.intraOpThreads } : {}),
  };
}

/** onnxruntime-node: CPU always, CUDA where its execution-provider libraries are installed. */
export const onnxruntimeEngine: EngineFactory = {
  name: "onnxruntime",
  description: "onnxruntime-node over the folder's onnx/model.onnx (CPU; CUDA where its EP is installed)",
  async availability() {
    const missing = cudaMissingDetail();
    return missing === undefined
      ? { available: true, devices: ["cpu", "cuda"] }
      : {
          available: true,
          devices: ["cpu"],
          note: `cuda: EP libraries not installed (${missing}); ${cudaUnavailableMessage(missing).split("; ").pop()}`,
        };
  },
  async open(folder, opts = {}) {
    const s = sessionOptionsOf(opts);
    return OnnxruntimeEngine.open(folder, infoOf(s), s);
  },
};

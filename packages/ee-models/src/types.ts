/**
 * Public types of ee-models. Every field carries a doc line and, where it has one, its unit.
 *
 * Weights are ee-core `StateDict`s with the EXACT Hugging Face tensor names of
 * `BertForSequenceClassification`, `RobertaForSequenceClassification` and `LlamaForCausalLM`
 * (Linear weights in HF layout `[out, in]`, F32 data in memory). Those names are the interface
 * with the encrypters: an encrypted model is `buildOnnx(cfg', encryptedWeights)` with the same
 * builder, so its graph has the same ops and shapes by construction.
 */
import type { RandomSource, StateDict } from "ee-core";
import type { WeightDtype } from "./onnx/builder.js";

/** Registry key of an architecture; also the `model_type` in config.json. */
export type ArchName = "bert" | "roberta" | "llama";

/** What the exported graph computes. */
export type ModelTask = "sequence-classification" | "causal-lm";

/** Where inference runs. */
export type Device = "cpu" | "cuda";

/** Hyper-parameters shared by every architecture (parsed from a Hugging Face config.json). */
export interface ModelConfig {
  /** Architecture, i.e. config.json `model_type`. */
  modelType: ArchName;
  /** Vocabulary size (tokens). */
  vocabSize: number;
  /** Residual stream width d (features). */
  hiddenSize: number;
  /** Number of transformer blocks (layers). */
  numLayers: number;
  /** Number of attention (query) heads (heads). */
  numHeads: number;
  /** FFN inner width (features). */
  intermediateSize: number;
  /** Longest sequence the position table / RoPE cache supports (tokens). */
  maxPositionEmbeddings: number;
  /** Standard deviation of HF's weight init (dimensionless), used for synthetic weights. */
  initializerRange: number;
  /** The Hugging Face JSON the config was parsed from (unknown keys are kept and written back). */
  raw: Record<string, unknown>;
}

/** BERT / RoBERTa encoder with a sequence-classification head. */
export interface BertConfig extends ModelConfig {
  /** `"bert"` or `"roberta"`. */
  modelType: "bert" | "roberta";
  /** Rows of the token-type table (types): 2 for BERT, 1 for RoBERTa. */
  typeVocabSize: number;
  /** Id of the padding token (token id); RoBERTa's `padding_idx` for positions. */
  padTokenId: number;
  /** LayerNorm epsilon (dimensionless). */
  layerNormEps: number;
  /** Number of output classes (labels). */
  numLabels: number;
  /** Class names, index = class id (labels); from `id2label`, default `LABEL_i`. */
  id2label: string[];
}

/** How an ONNX graph is built and saved. */
export interface BuildOptions {
  /** Use ONNX Runtime's fused CPU contrib ops (com.microsoft) where they help; false = plain ONNX ops only. */
  fused: boolean;
  /**
   * A tensor of at least this many bytes goes to the external data file `onnx/model.onnx_data`
   * (bytes). Default: none, unless the model's weights exceed ~1.8 GB in total, in which case all
   * tensors of ≥ 1 KiB go external. 0 = every weight external (small graph constants stay inline).
   */
  externalDataThresholdBytes?: number;
  /**
   * Causal LMs only: emit the logits of the last position only (`[B, 1, V]`), so prefill runs the LM
   * head once per row instead of T times. Default false: all positions, as transformers.js expects.
   */
  lastTokenLogitsOnly?: boolean;
  /**
   * Storage of the matrices (`WeightDtype` in onnx/builder.ts): `float16` halves the weights on disk and
   * in a session, lossy (fidelity to measure); Llama only. Default `float32`.
   */
  weightDtype?: WeightDtype;
}

/** What `buildOnnx` wrote. */
export interface BuildResult {
  /** Path of `onnx/model.onnx` (file path). */
  onnxPath: string;
  /** Path of `onnx/model.onnx_data` when weights were stored externally (file path). */
  externalDataPath?: string;
  /** Size of model.onnx (bytes). */
  onnxSizeBytes: number;
  /** Size of the external data file, 0 when none (bytes). */
  externalDataSizeBytes: number;
  /** Graph input names, in order. */
  inputNames: string[];
  /** Graph output names, in order. */
  outputNames: string[];
  /** Number of nodes in the graph (nodes). */
  numNodes: number;
  /** Count of each op type, keyed `domain::OpType` for non-default domains (nodes). */
  opCounts: Record<string, number>;
}

/** One architecture, registered by name in registry.ts (a table, not if-chains). */
export interface Architecture<C extends ModelConfig = ModelConfig> {
  /** Registry key; also `model_type` in config.json. */
  name: ArchName;
  /** What the graph computes. */
  task: ModelTask;
  /** HF class name written to config.json `architectures`, e.g. `BertForSequenceClassification`. */
  hfClass: string;
  /** Validate a Hugging Face config.json; errors name `source` and the field. */
  parseConfig(json: unknown, source: string): C;
  /** HF tensor names → HF-layout shapes (Linear `[out, in]`), in checkpoint order. */
  tensorShapes(cfg: C): Map<string, number[]>;
  /** HF init: N(0, initializer_range) weights, LN/RMS gains 1, biases 0; each tensor from `rng.derive(name)`. */
  syntheticWeights(cfg: C, rng: RandomSource): StateDict;
  /** Build and save `outDir/onnx/model.onnx` (+ external data). The graph never depends on weight values. */
  buildOnnx(cfg: C, weights: StateDict, outDir: string, opts: BuildOptions): Promise<BuildResult>;
  /** What folder.ts writes as config.json (HF keys, incl. `model_type`, `architectures`). */
  toConfigJson(cfg: C): Record<string, unknown>;
}

/** One file of a tokenizer, to be written into a model folder. */
export interface TokenizerFile {
  /** File name inside the model folder, e.g. `tokenizer.json`. */
  name: string;
  /** File contents (UTF-8 text or bytes). */
  data: string | Uint8Array;
}

/** The tokenizer files of a plain model folder (never written into an encrypted one). */
export interface TokenizerFiles {
  /** Tokenizer registry key, e.g. `"bert-base-uncased"`. */
  name: string;
  /** Where the files were read from (directory or package, for messages). */
  source: string;
  /** The files. */
  files: TokenizerFile[];
}

/** A named model recipe: real HF hyper-parameters + where its tokenizer comes from. */
export interface Preset {
  /** Preset name, e.g. `"bert-base"`. */
  name: string;
  /** Architecture registry key. */
  arch: ArchName;
  /** One line for listings. */
  description: string;
  /** The Hugging Face config.json (as the architecture's `parseConfig` reads it). */
  config: Record<string, unknown>;
  /** Tokenizer registry key (`tokenizers/registry.ts`), or null for test models without one. */
  tokenizer: string | null;
}

/** What `readModelFolder` found. */
export interface ModelFolder {
  /** The folder (absolute path). */
  dir: string;
  /** Architecture from config.json `model_type`. */
  arch: ArchName;
  /** Parsed config. */
  cfg: ModelConfig;
  /** `onnx/model.onnx` (file path). */
  onnxPath: string;
  /** `model.safetensors` or `model.safetensors.index.json` when present (file path). */
  weightsPath?: string;
  /** True when the folder holds tokenizer files (plain models only). */
  hasTokenizer: boolean;
  /** Parsed `ee.json` when the folder is an encrypted model. */
  eeJson?: Record<string, unknown>;
}

/** Options of `ClassifierSession.classify`. */
export interface ClassifyOptions {
  /** Truncate/pad to at most this many tokens (tokens); default: the config's max positions. */
  maxLength?: number;
  /** Sequences per engine call (sequences); default 1. */
  batchSize?: number;
}

/** A batch of pre-tokenized sequences (already padded to a common length T). */
export interface IdBatch {
  /** Token ids `[B, T]`, row-major (token ids). */
  inputIds: BigInt64Array;
  /** 1 for real tokens, 0 for padding, `[B, T]` (flags). */
  attentionMask: BigInt64Array;
  /** Segment ids `[B, T]` (BERT only; zeros when omitted). */
  tokenTypeIds?: BigInt64Array;
  /** Batch size B (sequences). */
  batchSize: number;
  /** Sequence length T (tokens). */
  seqLen: number;
}

/** Logits of one `runIds` call. */
export interface ClassifierOutput {
  /** Logits `[B, numLabels]`, row-major (nats, unnormalised). */
  logits: Float32Array;
  /** Batch size B (sequences). */
  batchSize: number;
  /** Number of labels (labels). */
  numLabels: number;
  /** Wall time of the engine call (ms). */
  latencyMs: number;
}

/** One classified text. */
export interface Classification {
  /** Logits (nats, unnormalised), one per label. */
  logits: number[];
  /** Softmax of the logits (probabilities), one per label. */
  probs: number[];
  /** Index of the largest logit (class id). */
  labelId: number;
  /** Name of that class (`id2label`). */
  label: string;
  /** Probability of the predicted class (probability). */
  confidence: number;
  /** Wall time of the batch this text ran in, divided by the batch size (ms). */
  latencyMs: number;
  /** Number of tokens after truncation (tokens). */
  numTokens: number;
}

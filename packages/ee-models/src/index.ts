// The public surface of ee-models: what other packages (ee-bench, ee-attacks, their tests) use, plus the
// engine seam (interface, registry, launcher) and the EE client over any engine. Everything else is
// internal and imported by path inside this package.

// ── models: presets, folders, building, checkpoints ──
export { readEncoderOnnxWeights } from "./bert/onnx-weights.js";
export { encoderReferenceStates } from "./bert/reference.js";
export { ENCODER_VARIANTS } from "./bert/variant.js";
export type { BuildModelOptions, BuiltModel } from "./build-model.js";
export { buildModel } from "./build-model.js";
export type { FolderConfig, ModelFormat } from "./checkpoint/hf-folder.js";
export { detectFormat, MODEL_FORMATS, readFolderConfig } from "./checkpoint/hf-folder.js";
export type { LoadCheckpointOptions } from "./checkpoint.js";
export { loadCheckpoint } from "./checkpoint.js";
// ── the EE client ──
export type { EncryptedCausalLMOptions, EncryptedGenerateOptions, SampleSite } from "./client/causal-lm.js";
export { EncryptedCausalLM } from "./client/causal-lm.js";
export type { EncryptedClassifierOptions, EncryptedClassifierOutput } from "./client/classifier.js";
export { EncryptedClassifier } from "./client/classifier.js";
export type { EEKeyErrorCode } from "./client/client.js";
export { EEClient, EEKeyError } from "./client/client.js";
export type { DigestCounters, FileDigestsOptions } from "./client/digest-cache.js";
export { DIGEST_CACHE_FILE, digestCounters, FileDigests, verifyFullFromEnv } from "./client/digest-cache.js";
export type { EncryptedClassifyResult, EncryptedStepOutput } from "./client/engine.js";
export { EncryptedEngine } from "./client/engine.js";
export type { EncryptedInference, InferEncryptedOptions } from "./client/infer.js";
export { inferEncrypted } from "./client/infer.js";
export { RekeyingEngine, type RekeyingMember } from "./client/rekeying.js";
export type { ClientTokenizerOptions } from "./client/tokenizer.js";
export { TransformersJsEncryptedModel } from "./client/transformers-js.js";
export { findRepoRoot } from "./data-dir.js";
// ── encryption ──
export type { EncryptedFolder, EncryptFolderOptions } from "./encrypt/folder.js";
export { encryptModelFolder } from "./encrypt/folder.js";
export { countTokens, readCorpusLines } from "./encrypt/homophone-corpus.js";
export type { HomophoneOptions } from "./encrypt/homophones.js";
export {
  allocateHomophones,
  HOMOPHONE_COUNTS,
  HomophoneTable,
  homophoneTable,
} from "./encrypt/homophones.js";
export type { EEManifest } from "./encrypt/manifest.js";
export { readManifest } from "./encrypt/manifest.js";
export type { SchemeName } from "./encrypt/schemes.js";
export { SCHEMES } from "./encrypt/schemes.js";
// ── the engine seam ──
export type {
  Engine,
  EngineAvailability,
  EngineClassifyResult,
  EngineDevice,
  EngineFactory,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineOptions,
  EngineSequence,
  EngineStepper,
  FirstStep,
  IdSequences,
  StepOutput,
} from "./engines/engine.js";
export { checkFirstStep, firstStepOf } from "./engines/first-step.js";
export type { EEHttpClientOptions, EEHttpGenerateResult } from "./engines/http/client.js";
export { EEHttpClient } from "./engines/http/client.js";
export type { HttpGenerateResult, HttpRequestTiming } from "./engines/http/engine.js";
export { HttpEngineError } from "./engines/http/wire.js";
export type { Launcher } from "./engines/launch.js";
export { LAUNCHERS, launchEngine } from "./engines/launch.js";
export type { LlamaCppEngine } from "./engines/llamacpp/engine.js";
export { llamaCppEngine } from "./engines/llamacpp/factory.js";
export type { EngineListing } from "./engines/registry.js";
export { DEFAULT_ENGINE, engineNames, getEngine, listEngines, registerEngine } from "./engines/registry.js";
export type { Tensor, TensorData } from "./engines/tensor.js";
export { numel, row, tensor } from "./engines/tensor.js";
export type { GgufExport, GgufExportOptions } from "./export/gguf/export.js";
export { defaultGgufPath, exportLlamaGguf } from "./export/gguf/export.js";
export type { GgufHeader, GgufTensorInfo } from "./export/gguf/reader.js";
export { checkGgufFile } from "./export/gguf/reader.js";
export type { GgmlTypeName } from "./export/gguf/tensor-types.js";
export { GGML_TYPES } from "./export/gguf/tensor-types.js";
export type { WriteFolderOptions, WrittenFolder } from "./folder.js";
export { readModelFolder, writeModelFolder } from "./folder.js";
export type { LlamaConfig } from "./llama/config.js";
export { parseLlamaConfig } from "./llama/config.js";
export type { LlamaBuildOptions } from "./llama/graph.js";
export type { InferLlamaOptions, InferLlamaResult } from "./llama/infer.js";
export { inferLlama } from "./llama/infer.js";
export { LLAMA31_TOKENIZER, llamaTiny } from "./llama/presets.js";
export { LlamaReference } from "./llama/reference.js";
export { LLAMA_EMBED, LLAMA_FINAL_NORM, LLAMA_LM_HEAD, llamaSyntheticWeights } from "./llama/weights.js";
export { readOnnxInitializers } from "./onnx/reader.js";
export { getPreset, presetNames } from "./presets.js";
export { getArchitecture } from "./registry.js";
// ── runtime-free loops over any engine ──
export { padBatch, softmax, truncateKeepLast } from "./runner/batch.js";
export type { ClassifierInference } from "./runner/classifier.js";
export type { GenerateOptions, GenerateResult, Generation } from "./runner/generate.js";
export { generateWithStepper } from "./runner/generate.js";
export type { InferClassifierOptions } from "./runner/infer-classifier.js";
export { inferClassifier } from "./runner/infer-classifier.js";
export type { SamplingOptions } from "./runner/sampling.js";
export { argmax, softmaxProb } from "./runner/sampling.js";
export { LLAMA31_TOKENIZER_CONFIG, LlamaTokenizer } from "./tokenizers/llama.js";
export { loadTokenizer } from "./tokenizers/load.js";
export { getTokenizerSource } from "./tokenizers/registry.js";
export type {
  Architecture,
  ArchName,
  BertConfig,
  Classification,
  ClassifierOutput,
  ClassifyOptions,
  Device,
  IdBatch,
  ModelConfig,
  ModelFolder,
  ModelTask,
  Preset,
} from "./types.js";

export type { MatmulOptions, OrtSession, OrtTensor, OrtValueMap } from "./backend/ort.js";
export {
  createSession,
  cudaUnavailableMessage,
  disposeMatmulSessions,
  listBackends,
  matmulF32,
  ortVersion,
  outputF32,
  tensorF32,
  tensorI64,
  tensorI64From,
} from "./backend/ort.js";
export { bertArchitecture } from "./bert/architecture.js";
export { encoderConfigJson, maxSequenceLength, parseEncoderConfig } from "./bert/config.js";
export { encoderForwardFlops } from "./bert/flops.js";
export { buildEncoderGraph, buildEncoderOnnx, MASK_MIN_F32 } from "./bert/graph.js";
export type { ReferenceBatch } from "./bert/reference.js";
export { bertReferenceLogits, encoderReferenceLogits, erf } from "./bert/reference.js";
export type { EncoderVariant } from "./bert/variant.js";
export { BERT_VARIANT, ENCODER_VARIANTS, ROBERTA_VARIANT } from "./bert/variant.js";
export { encoderSyntheticWeights, encoderTensorShapes } from "./bert/weights.js";
export type { BuildModelOptions, BuiltModel } from "./build-model.js";
export { buildModel } from "./build-model.js";
export { loadCheckpoint } from "./checkpoint.js";
export type { EncryptedGenerateOptions, EncryptedStepOutput, SampleSite } from "./client/causal-lm.js";
export { EncryptedCausalLM } from "./client/causal-lm.js";
export type { EncryptedClassifierOptions, EncryptedClassifierOutput } from "./client/classifier.js";
export { EncryptedClassifier } from "./client/classifier.js";
export type { EEKeyErrorCode } from "./client/client.js";
export { EEClient, EEKeyError } from "./client/client.js";
export type { TokenIds } from "./client/codec.js";
export { EECodec } from "./client/codec.js";
export type { EncryptedInference, InferEncryptedOptions } from "./client/infer.js";
export { inferEncrypted, inferEncryptedClassifier, inferEncryptedLlama } from "./client/infer.js";
export type { ClientTokenizerOptions } from "./client/tokenizer.js";
export { loadClientTokenizer } from "./client/tokenizer.js";
export type { TransformersJsLogits } from "./client/transformers-js.js";
export { TransformersJsEncryptedModel } from "./client/transformers-js.js";
export { asObject, expectOneOf, readInt, readPositive, readString } from "./config-json.js";
export { dataFile, EXPECTED_DATA_FILES, findRepoRoot, resolveDataDir } from "./data-dir.js";
export { BERT_KEY } from "./encrypt/bert.js";
export type { EncryptedWeights, EncryptWeightsOptions } from "./encrypt/encrypt.js";
export { applyKey, encryptWeights } from "./encrypt/encrypt.js";
export type { EncryptedFolder, EncryptFolderOptions } from "./encrypt/folder.js";
export { encryptModelFolder } from "./encrypt/folder.js";
export { LLAMA_KEY } from "./encrypt/llama.js";
export type { EEManifest } from "./encrypt/manifest.js";
export {
  checkClientTokenizer,
  EE_MANIFEST_FILE,
  EE_MANIFEST_FORMAT,
  hashModelFiles,
  readManifest,
  SUITE_VERSION,
  sha256File,
  verifyManifestFiles,
  writeManifest,
} from "./encrypt/manifest.js";
export type { MatmulPath } from "./encrypt/matmul.js";
export { matmul, ORT_MIN_MACS } from "./encrypt/matmul.js";
export type { Encrypter } from "./encrypt/registry.js";
export { ENCRYPTERS, getEncrypter } from "./encrypt/registry.js";
export type { Scheme, SchemeName } from "./encrypt/schemes.js";
export { DEFAULT_SCHEME, getScheme, SCHEMES, schemeNames } from "./encrypt/schemes.js";
export { VOCAB_PERM, vocabPermutation } from "./encrypt/vocab.js";
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
  FirstStep,
  IdSequences,
} from "./engines/engine.js";
export { engineNames, getEngine, registerEngine } from "./engines/registry.js";
export type { Tensor, TensorData } from "./engines/tensor.js";
export { numel, row, tensor } from "./engines/tensor.js";
export type { WriteFolderOptions, WrittenFolder } from "./folder.js";
export { readModelFolder, writeModelFolder } from "./folder.js";
export { llamaArchitecture } from "./llama/architecture.js";
export type { Llama3RopeScaling, LlamaConfig } from "./llama/config.js";
export { llamaConfigToJson, parseLlamaConfig, ropeInvFreq } from "./llama/config.js";
export type { LlamaBuildOptions } from "./llama/graph.js";
export { buildLlamaOnnx, LLAMA_AUTO_EXTERNAL_BYTES, LLAMA_IO, llamaGraph } from "./llama/graph.js";
export type { InferLlamaOptions, InferLlamaResult } from "./llama/infer.js";
export { inferLlama } from "./llama/infer.js";
export { positionIdsFromMask } from "./llama/positions.js";
export { LLAMA31_TOKENIZER, llama31_8b, llama31Mini, llamaPresets, llamaTiny } from "./llama/presets.js";
export type { LlamaReferenceCache, LlamaReferenceInput, LlamaReferenceOutput } from "./llama/reference.js";
export { LlamaReference } from "./llama/reference.js";
export type { LlamaSyntheticOptions } from "./llama/weights.js";
export {
  checkLlamaWeights,
  LLAMA_EMBED,
  LLAMA_FINAL_NORM,
  LLAMA_LM_HEAD,
  llamaLayerNames,
  llamaSyntheticWeights,
  llamaTensorShapes,
} from "./llama/weights.js";
export type { AttrValue, Dim, ElemType, InitializerSpec, OpOptions, WeightOptions } from "./onnx/builder.js";
export { GraphBuilder, MS_DOMAIN, OPSET, transpose2d } from "./onnx/builder.js";
export type { Onnx } from "./onnx/proto.js";
export { onnx } from "./onnx/proto.js";
export { readModelProto, readOnnxInitializers } from "./onnx/reader.js";
export type { SaveOptions, SaveResult } from "./onnx/writer.js";
export { AUTO_EXTERNAL_TOTAL_BYTES, saveGraph } from "./onnx/writer.js";
export { getPreset, PRESETS, presetNames } from "./presets.js";
export { architectureNames, getArchitecture, registerArchitecture } from "./registry.js";
export { robertaArchitecture } from "./roberta/architecture.js";
export { robertaReferenceLogits } from "./roberta/reference.js";
export { chunk, padBatch, softmax, truncateKeepLast } from "./runner/batch.js";
export type { ClassifierInference, ClassifierSessionOptions } from "./runner/classifier.js";
export { ClassifierSession, inferClassifier } from "./runner/classifier.js";
export type {
  GenerateOptions,
  GenerateResult,
  Generation,
  LogitsProcessor,
  StepOutput,
} from "./runner/generate.js";
export { CausalLMSession, leftPadBatch } from "./runner/generate.js";
export type { SampledToken, SamplingOptions } from "./runner/sampling.js";
export { argmax, checkSamplingOptions, sampleToken, softmaxProb } from "./runner/sampling.js";
export { bertBaseUncasedTokenizer, robertaBaseTokenizer } from "./tokenizers/encoder.js";
export type { ChatMessage, ChatTemplateOptions } from "./tokenizers/llama.js";
export {
  LLAMA31_TOKENIZER_CONFIG,
  LLAMA31_TOKENIZER_PACKAGE,
  LlamaTokenizer,
  llama31TokenizerSource,
  llamaTokenizerFiles,
  llamaTokenizerJsonPath,
} from "./tokenizers/llama.js";
export { loadTokenizer, useLocalFilesOnly } from "./tokenizers/load.js";
export type { TokenizerSource } from "./tokenizers/registry.js";
export { getTokenizerSource, registerTokenizerSource, tokenizerNames } from "./tokenizers/registry.js";
export type {
  Architecture,
  ArchName,
  BertConfig,
  BuildOptions,
  BuildResult,
  Classification,
  ClassifierOutput,
  ClassifyOptions,
  Device,
  IdBatch,
  ModelConfig,
  ModelFolder,
  ModelTask,
  Preset,
  SessionOptions,
  TokenizerFile,
  TokenizerFiles,
} from "./types.js";

export type {
  DType,
  EEKey,
  KeyComponent,
  KeyComponentKind,
  Permutation,
  RandomSource,
  StateDict,
  Tensor,
  TensorData,
} from "./types.js";

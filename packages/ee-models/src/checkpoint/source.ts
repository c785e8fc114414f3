/**
 * A checkpoint folder as a source of named tensors, whatever its file format:
 * `model.safetensors.index.json` + shards, `model.safetensors`, or PyTorch's `pytorch_model.bin`
 * (zip format, read without executing any pickle code; see `pytorch/`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type DType,
  openShardedSafetensors,
  SAFETENSORS_INDEX_FILE,
  SAFETENSORS_SINGLE_FILE,
  type Tensor,
} from "ee-core";
import { openPytorchCheckpoint, PYTORCH_SINGLE_FILE } from "./pytorch/reader.js";

/** Named tensors read on demand. */
export interface TensorSource {
  /** The file or folder read (path). */
  readonly path: string;
  /** Tensor names in file order. */
  names(): string[];
  /** Dtype and shape of one tensor (no data read). */
  info(name: string): { dtype: DType; shape: number[] };
  /** One tensor; F16/BF16 are widened to Float32Array data and keep their dtype label. */
  read(name: string): Tensor;
  /** Release file descriptors. */
  close(): void;
}

/** Open the checkpoint in `dir` (safetensors preferred, as HF does); errors name the folder. */
export function openCheckpointSource(dir: string): TensorSource {
  const hasSafetensors = [SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE].some((f) =>
    existsSync(join(dir, f)),
  );
  if (!hasSafetensors && existsSync(join(dir, PYTORCH_SINGLE_FILE)))
    return openPytorchCheckpoint(join(dir, PYTORCH_SINGLE_FILE));
  if (!hasSafetensors) {
    throw new Error(
      `checkpoint ${dir}: neither ${SAFETENSORS_INDEX_FILE} nor ${SAFETENSORS_SINGLE_FILE} found (nor ${PYTORCH_SINGLE_FILE})`,
    );
  }
  return openShardedSafetensors(dir);
}

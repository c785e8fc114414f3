/**
 * The built-in engines: one row per engine folder. This table (and the engine folders themselves)
 * is the only place that names a runtime; everything else goes through `engines/registry.ts`.
 * Also re-exports what encryption borrows from a runtime beyond the `Engine` interface: the dense
 * float32 products `matmulF32` and `blockLeftMatmulF32` (`encrypt/matmul.ts` calls them for large
 * offline products).
 */
import type { EngineFactory } from "./engine.js";
import { httpEngine } from "./http/factory.js";
import { llamaCppEngine } from "./llamacpp/factory.js";
import { onnxruntimeEngine } from "./onnxruntime/factory.js";

export { blockLeftMatmulF32, disposeMatmulSessions, matmulF32 } from "./onnxruntime/matmul.js";

/** The engine a suite row or a command uses when it names none. */
export const DEFAULT_ENGINE = onnxruntimeEngine.name;

/** Engines registered at start-up, in the order `ee engines` lists them. */
export const BUILTIN_ENGINES: readonly EngineFactory[] = [onnxruntimeEngine, llamaCppEngine, httpEngine];

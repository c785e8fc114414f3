/**
 * The node-llama-cpp runtime, loaded on demand. `node-llama-cpp` is an optional dependency of
 * ee-models (pinned 3.21.1): it is imported dynamically, so everything else works without it, and its
 * prebuilt binaries are used as they are (`build: "never"`, `skipDownload: true`): nothing is
 * downloaded or compiled at install, test or run time. Only the few members used here are typed.
 *
 * node-llama-cpp 3.21.1 tokenizes a test string when it loads any model (`LlamaModel.getWarnings`),
 * and llama.cpp aborts the process when asked to tokenize with the vocabulary-free `no_vocab`
 * tokenizer our encrypted GGUFs carry. `patchNoVocabTokenize` makes `tokenize` throw a JS error for
 * such models instead (node-llama-cpp catches it there); this engine never tokenizes text.
 */
import type { EngineDevice } from "../engine.js";

/** The package, pinned exactly (newer lockfiles are refused on the build machines). */
export const NODE_LLAMA_CPP = "node-llama-cpp";
/** The pinned version (semver). */
export const NODE_LLAMA_CPP_VERSION = "3.21.1";
/** How to add the engine when it is missing. */
export const NODE_LLAMA_CPP_INSTALL = `npm install -w packages/ee-models --save-optional --save-exact ${NODE_LLAMA_CPP}@${NODE_LLAMA_CPP_VERSION}`;

/** One output item of `controlledEvaluate` (node-llama-cpp `ControlledEvaluateIndexOutput`). */
export interface NlcControlledOutput {
  readonly next: { readonly token?: number | null; readonly probabilities?: Map<number, number> };
}

/** The part of `LlamaContextSequence` used here. */
export interface NlcSequence {
  controlledEvaluate(
    input: (number | [number, Record<string, unknown>])[],
  ): Promise<(NlcControlledOutput | undefined)[]>;
  evaluate(
    tokens: number[],
    options?: Record<string, unknown>,
  ): AsyncGenerator<number, void, undefined | number | number[]>;
  clearHistory(): Promise<void>;
}

/** The part of `LlamaContext` used here. */
export interface NlcContext {
  readonly contextSize: number;
  getSequence(): NlcSequence;
  dispose(): Promise<void>;
}

/** The part of `LlamaModel` used here. */
export interface NlcModel {
  readonly vocabularyType: string;
  readonly trainContextSize: number;
  createContext(options: Record<string, unknown>): Promise<NlcContext>;
  dispose(): Promise<void>;
}

/** The part of `Llama` used here. */
export interface NlcLlama {
  readonly gpu: string | false;
  readonly llamaCppRelease: { readonly release: string };
  loadModel(options: Record<string, unknown>): Promise<NlcModel>;
}

/** The part of the module used here. */
interface NlcModule {
  getLlama(options: Record<string, unknown>): Promise<NlcLlama>;
  getLlamaGpuTypes(include: "supported" | "allValid"): Promise<string[]>;
  LlamaLogLevel: Record<string, string>;
  LlamaModel: { prototype: { tokenize: (...args: unknown[]) => unknown } };
}

let modulePromise: Promise<NlcModule> | undefined;
const llamas = new Map<EngineDevice, Promise<NlcLlama>>();

/** The module, or an error saying how to install it. */
export async function loadNodeLlamaCpp(): Promise<NlcModule> {
  modulePromise ??= (async () => {
    const spec = NODE_LLAMA_CPP; // a variable, so the compiler does not require the package
    try {
      const mod = (await import(spec)) as NlcModule;
      patchNoVocabTokenize(mod);
      return mod;
    } catch (e) {
      modulePromise = undefined;
      throw new Error(
        `llamacpp engine: ${NODE_LLAMA_CPP} is not installed (${(e as Error).message.split("\n")[0]}); add it with: ${NODE_LLAMA_CPP_INSTALL}`,
      );
    }
  })();
  return modulePromise;
}

const PATCHED = Symbol.for("ee-models.llamacpp.noVocabTokenize");

/** See the module comment. Idempotent. */
function patchNoVocabTokenize(mod: NlcModule): void {
  const proto = mod.LlamaModel.prototype as unknown as Record<PropertyKey, unknown> & {
    tokenize: (...args: unknown[]) => unknown;
  };
  if (proto[PATCHED]) return;
  const original = proto.tokenize;
  proto.tokenize = function (this: { vocabularyType: string }, ...args: unknown[]) {
    if (this.vocabularyType === "none")
      throw new Error("this GGUF has no vocabulary (no_vocab): it runs on token ids only");
    return original.apply(this, args);
  };
  proto[PATCHED] = true;
}

/** The llama.cpp binding for `device` (loaded once per device): prebuilt only, never built. */
export async function llamaFor(device: EngineDevice): Promise<NlcLlama> {
  let p = llamas.get(device);
  if (!p) {
    p = (async () => {
      const mod = await loadNodeLlamaCpp();
      try {
        return await mod.getLlama({
          gpu: device === "cuda" ? "cuda" : false,
          build: "never",
          skipDownload: true,
          logLevel: mod.LlamaLogLevel.error,
          progressLogs: false,
        });
      } catch (e) {
        throw new Error(
          `llamacpp engine: no prebuilt llama.cpp binary for ${device} on ${process.platform}-${process.arch} (${(e as Error).message.split("\n")[0]})`,
        );
      }
    })();
    p.catch(() => llamas.delete(device));
    llamas.set(device, p);
  }
  return p;
}

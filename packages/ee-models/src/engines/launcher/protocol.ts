/**
 * Messages between a parent and an engine child process (`child_process.fork` with the "advanced"
 * serialization, so typed arrays cross as typed arrays). One request at a time per child; each reply
 * carries the request's `id`. A `generate` whose caller passed `onStep` is sent with `steps: true`
 * (functions do not cross) and the child sends a step event per decoding step before its reply; IPC
 * keeps messages in order, so the parent calls `onStep` in order, before the call resolves.
 */
import type {
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineOptions,
  FirstStep,
  IdSequences,
  StepOutput,
} from "../engine.js";

/** A call from the parent. */
export type ChildRequest =
  | { id: number; method: "open"; engine: string; folder: string; options: EngineOptions }
  | { id: number; method: "classify"; ids: IdSequences }
  | {
      id: number;
      method: "generate";
      prompts: IdSequences;
      options: Omit<EngineGenerateOptions, "onStep">;
      /** Send a step event per decoding step (the caller passed `onStep`). */
      steps: boolean;
    }
  | { id: number; method: "prefill"; prompts: IdSequences; padTokenId?: number }
  | { id: number; method: "decode"; tokenIds: readonly number[] }
  | { id: number; method: "close" };

/** What `open` reports about the opened engine. */
export interface OpenedEngine {
  /** The engine's `info`. */
  info: EngineInfo;
  /** Its task. */
  task: "classify" | "generate";
  /** Labels or vocabulary size (labels or tokens). */
  outputSize: number;
  /** Longest sequence (tokens). */
  maxPositions: number;
  /** The stepper's eos ids when the engine has one (token ids), else null. */
  stepperEos: readonly number[] | null;
}

/** A step's output plus the stepper's cache length after it (tokens). */
export interface ChildStep {
  /** The step. */
  step: StepOutput;
  /** Cache length after the step (tokens). */
  cacheLength: number;
}

/** The result of each method. */
export interface ChildResults {
  open: OpenedEngine;
  classify: EngineClassifyResult;
  generate: EngineGenerateResult;
  prefill: ChildStep;
  decode: ChildStep;
  close: null;
}

/** One decoding step of a pending `generate`: `onStep`'s arguments. */
export interface ChildStepEvent {
  /** The `generate` request's id. */
  id: number;
  /** Marks a step event (not a reply). */
  event: "step";
  /** Step index, from 0 (steps). */
  step: number;
  /** The token each prompt just got, -1 for a stopped prompt (token ids). */
  tokenIds: readonly number[];
  /** At step 0: each prompt's first step (typed arrays, compact copies). */
  firstSteps?: readonly FirstStep[];
}

/** A reply from the child. */
export type ChildReply =
  | { id: number; ok: true; result: ChildResults[keyof ChildResults] }
  | { id: number; ok: false; error: string };

/** Any message from the child. */
export type ChildMessage = ChildReply | ChildStepEvent;

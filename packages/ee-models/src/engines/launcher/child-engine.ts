/**
 * `ChildProcessEngine`: an `Engine` whose runtime lives in its own child process. The parent sends
 * each call over IPC and waits for the reply; latencies the engine reports (`latencyMs`, `totalMs`)
 * are measured in the child, while a caller timing the call from the parent also pays the IPC
 * round trip (ids out, logits back). VI and EE launched this way pay it alike. Per-step events
 * (`onStep`) come back as messages while the call runs, so streaming works across the boundary.
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  Engine,
  EngineClassifyResult,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineInfo,
  EngineOptions,
  EngineStepper,
  IdSequences,
  StepOutput,
} from "../engine.js";
import type {
  ChildMessage,
  ChildRequest,
  ChildResults,
  ChildStep,
  ChildStepEvent,
  OpenedEngine,
} from "./protocol.js";

/** Distributive `Omit` over the request union. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The compiled child entry point (from `src/` under vitest, the built `dist/` copy). */
function childScript(): string {
  const here = fileURLToPath(new URL("./child-main.js", import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(/\/src\/engines\/launcher\//, "/dist/engines/launcher/");
  if (existsSync(built)) return built;
  throw new Error(`engine child process: ${built} not found (run npm run build)`);
}

/** A call waiting for its reply, with the caller's step callback (generate) and what it threw. */
interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onStep?: EngineGenerateOptions["onStep"];
  stepError?: Error;
}

/** One child process and its pending call. */
class ChildChannel {
  private readonly child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private exited: string | undefined;

  constructor() {
    this.child = fork(childScript(), [], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m: ChildMessage) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if ("event" in m) return this.stepped(p, m);
      this.pending.delete(m.id);
      if (p.stepError) p.reject(p.stepError);
      else if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    this.child.on("exit", (code, signal) => {
      this.exited = `engine child process exited (${signal ?? `code ${code}`})`;
      for (const p of this.pending.values()) p.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  /** A step event: the caller's onStep, in order; what it throws fails the call when the reply comes. */
  private stepped(p: Pending, m: ChildStepEvent): void {
    if (!p.onStep || p.stepError) return;
    try {
      p.onStep(m.step, m.tokenIds, m.firstSteps); // typed arrays arrive as such (advanced serialization)
    } catch (e) {
      p.stepError = e instanceof Error ? e : new Error(String(e));
    }
  }

  call<M extends ChildRequest["method"]>(
    req: Without<Extract<ChildRequest, { method: M }>, "id"> & { method: M },
    onStep?: EngineGenerateOptions["onStep"],
  ): Promise<ChildResults[M]> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onStep });
      this.child.send({ ...req, id } as ChildRequest);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill();
  }
}

/** The child's stepper seen from the parent. */
class ChildStepper implements EngineStepper {
  cacheLength = 0;
  constructor(
    private readonly ch: ChildChannel,
    readonly eosTokenIds: readonly number[],
  ) {}

  private took(s: ChildStep): StepOutput {
    this.cacheLength = s.cacheLength;
    return s.step;
  }

  async prefill(prompts: IdSequences, padTokenId?: number): Promise<StepOutput> {
    return this.took(await this.ch.call({ method: "prefill", prompts, padTokenId }));
  }

  async decode(tokenIds: readonly number[]): Promise<StepOutput> {
    return this.took(await this.ch.call({ method: "decode", tokenIds }));
  }
}

/** An engine running in its own child process. */
export class ChildProcessEngine implements Engine {
  readonly info: EngineInfo;
  readonly task: "classify" | "generate";
  readonly outputSize: number;
  readonly maxPositions: number;
  readonly stepper?: EngineStepper;

  private constructor(
    private readonly ch: ChildChannel,
    o: OpenedEngine,
  ) {
    this.info = o.info;
    this.task = o.task;
    this.outputSize = o.outputSize;
    this.maxPositions = o.maxPositions;
    if (o.stepperEos) this.stepper = new ChildStepper(ch, o.stepperEos);
  }

  /** Start a child, open `folder` with the registry's engine `name` there. */
  static async open(name: string, folder: string, options: EngineOptions = {}): Promise<ChildProcessEngine> {
    const ch = new ChildChannel();
    try {
      return new ChildProcessEngine(ch, await ch.call({ method: "open", engine: name, folder, options }));
    } catch (e) {
      ch.kill();
      throw e;
    }
  }

  classify(ids: IdSequences): Promise<EngineClassifyResult> {
    return this.ch.call({ method: "classify", ids });
  }

  /** `onStep` stays here (functions do not cross): the child sends step events, this side calls it. */
  generate(prompts: IdSequences, options: EngineGenerateOptions): Promise<EngineGenerateResult> {
    const { onStep, ...rest } = options;
    return this.ch.call({ method: "generate", prompts, options: rest, steps: onStep !== undefined }, onStep);
  }

  async close(): Promise<void> {
    try {
      await this.ch.call({ method: "close" });
    } finally {
      this.ch.kill();
    }
  }
}

/**
 * `ChildProcessEngine`: an `Engine` whose runtime lives in its own child process. The parent sends
 * each call over IPC and waits for the reply; latencies the engine reports (`latencyMs`, `totalMs`)
 * are measured in the child, while a caller timing the call from the parent also pays the IPC
 * round trip (ids out, logits back). VI and EE launched this way pay it alike.
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
import type { ChildReply, ChildRequest, ChildResults, ChildStep, OpenedEngine } from "./protocol.js";

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

/** One child process and its pending call. */
class ChildChannel {
  private readonly child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: string | undefined;

  constructor() {
    this.child = fork(childScript(), [], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m: ChildReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    this.child.on("exit", (code, signal) => {
      this.exited = `engine child process exited (${signal ?? `code ${code}`})`;
      for (const p of this.pending.values()) p.reject(new Error(this.exited));
      this.pending.clear();
    });
  }

  call<M extends ChildRequest["method"]>(
    req: Without<Extract<ChildRequest, { method: M }>, "id"> & { method: M },
  ): Promise<ChildResults[M]> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
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

  generate(prompts: IdSequences, options: EngineGenerateOptions): Promise<EngineGenerateResult> {
    return this.ch.call({ method: "generate", prompts, options });
  }

  async close(): Promise<void> {
    try {
      await this.ch.call({ method: "close" });
    } finally {
      this.ch.kill();
    }
  }
}

/**
 * Entry point of an engine child process: opens one engine from the registry and answers the
 * parent's calls (see protocol.ts) until `close`, then exits. Errors are sent back as messages.
 */
import type { Engine, FirstStep } from "../engine.js";
import { getEngine } from "../registry.js";
import type { ChildReply, ChildRequest, ChildResults, ChildStepEvent } from "./protocol.js";

let engine: Engine | undefined;

/** A first step whose arrays own exactly their bytes (a view into a [B, V] buffer would ship all of it). */
function compact(f: FirstStep): FirstStep {
  return f.kind === "logits"
    ? { kind: "logits", logits: f.logits.slice() }
    : { kind: "topk", ids: f.ids.slice(), logprobs: f.logprobs.slice() };
}

function opened(): Engine {
  if (!engine) throw new Error("engine child: no engine open");
  return engine;
}

async function handle(req: ChildRequest): Promise<ChildResults[keyof ChildResults]> {
  switch (req.method) {
    case "open": {
      if (engine) throw new Error("engine child: an engine is already open");
      engine = await getEngine(req.engine).open(req.folder, req.options);
      return {
        info: engine.info,
        task: engine.task,
        outputSize: engine.outputSize,
        maxPositions: engine.maxPositions,
        stepperEos: engine.stepper ? [...engine.stepper.eosTokenIds] : null,
      };
    }
    case "classify":
      return opened().classify(req.ids);
    case "generate": {
      if (!req.steps) return opened().generate(req.prompts, req.options);
      const id = req.id;
      return opened().generate(req.prompts, {
        ...req.options,
        onStep: (step, tokenIds, firstSteps) =>
          process.send?.({
            id,
            event: "step",
            step,
            tokenIds: [...tokenIds],
            ...(firstSteps ? { firstSteps: firstSteps.map(compact) } : {}),
          } satisfies ChildStepEvent),
      });
    }
    case "prefill":
    case "decode": {
      const s = opened().stepper;
      if (!s) throw new Error(`engine ${opened().info.name}: no step-wise decoding`);
      const step =
        req.method === "prefill"
          ? await s.prefill(req.prompts, req.padTokenId)
          : await s.decode(req.tokenIds);
      return { step, cacheLength: s.cacheLength };
    }
    case "close":
      await engine?.close();
      engine = undefined;
      return null;
  }
}

process.on("message", (msg: ChildRequest) => {
  handle(msg).then(
    (result) => {
      process.send?.({ id: msg.id, ok: true, result } satisfies ChildReply, () => {
        if (msg.method === "close") process.exit(0);
      });
    },
    (e: unknown) =>
      process.send?.({
        id: msg.id,
        ok: false,
        error: (e as Error).message ?? String(e),
      } satisfies ChildReply),
  );
});
process.on("disconnect", () => process.exit(0));

/** The `http` engine's registry row. */
import type { EngineAvailability, EngineFactory, EngineOptions } from "../engine.js";
import { HttpEngine } from "./engine.js";
import { httpSettings } from "./options.js";

/** `http`: any OpenAI-compatible server; `extra.endpoint` says where. */
export const httpEngine: EngineFactory = {
  name: "http",
  description:
    "any OpenAI-compatible server (ee serve, vLLM, TGI, llama.cpp) over HTTP with token-id prompts; extra.endpoint = its URL",
  async availability(): Promise<EngineAvailability> {
    return {
      available: true,
      devices: ["cpu"],
      note: "needs a running server: pass extra.endpoint (the device is the server's)",
    };
  },
  async open(folder: string, opts?: EngineOptions) {
    return HttpEngine.open(folder, httpSettings(opts));
  },
};

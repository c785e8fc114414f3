import { afterEach, describe, expect, it, vi } from "vitest";
import { enginesCommand, formatEngines } from "../../src/cli/engines.js";

afterEach(() => vi.restoreAllMocks());

describe("ee engines", () => {
  it("formats available engines with their devices and notes, unavailable ones with why and how to add them", () => {
    const text = formatEngines([
      {
        name: "alpha",
        description: "first",
        availability: { available: true, devices: ["cpu"], note: "cuda: EP libraries not installed" },
      },
      {
        name: "b",
        description: "second",
        availability: { available: false, reason: "package x not installed", howToInstall: "npm i x" },
      },
    ]);
    expect(text.split("\n")).toEqual([
      "alpha  first",
      "       available (cpu); cuda: EP libraries not installed",
      "b      second",
      "       not available: package x not installed; to install: npm i x",
    ]);
  });

  it("lists the registered engines (onnxruntime on cpu here, cuda said missing or present)", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await enginesCommand();
    const text = out.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toMatch(/^onnxruntime +onnxruntime-node/m);
    expect(text).toMatch(/available \(cpu(, cuda)?\)/);
    if (!/cpu, cuda/.test(text)) expect(text).toMatch(/cuda: EP libraries not installed/);
    out.mockClear();
    await enginesCommand({ json: true });
    const list = JSON.parse(out.mock.calls.map((c) => String(c[0])).join(""));
    expect(list[0]).toMatchObject({ name: "onnxruntime", availability: { available: true } });
  });
});

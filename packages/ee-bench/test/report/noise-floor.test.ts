import { describe, expect, it } from "vitest";
import { compareWithControl, controlOf } from "../../src/report/noise-floor.js";
import type { RowSummary, SuiteRow } from "../../src/types.js";
import { fixtureSuite } from "../suite-fixture.js";

const withPaired = (row: string, deltaTPct: number, ci95Pct: [number, number]) =>
  ({ row, paired: { deltaTPct, ci95Pct } }) as unknown as RowSummary;

describe("noise floor", () => {
  it("a row inside its control's interval reach is indistinguishable from 0, outside it is resolved", () => {
    const control = withPaired("c", -0.1, [-0.4, 0.3]); // reach 0.4
    expect(compareWithControl(withPaired("r", 0.35, [0.1, 0.6]), control)?.verdict).toBe("indistinguishable");
    expect(compareWithControl(withPaired("r", -0.39, [-0.6, -0.1]), control)?.verdict).toBe(
      "indistinguishable",
    );
    expect(compareWithControl(withPaired("r", 0.45, [0.3, 0.6]), control)).toEqual({
      row: "c",
      deltaTPct: -0.1,
      ci95Pct: [-0.4, 0.3],
      verdict: "resolved",
    });
    expect(compareWithControl({ row: "r" } as RowSummary, control)).toBeUndefined();
  });

  it("a control row controls the rows it names, else those of the same model, task and batch size", () => {
    const [cls, gen] = fixtureSuite().rows;
    const ctl: SuiteRow = { ...cls, id: "cls-control", scheme: "control" };
    expect(controlOf(cls, [cls, gen, ctl])?.id).toBe("cls-control");
    expect(controlOf(gen, [cls, gen, ctl])).toBeUndefined();
    const named: SuiteRow = { ...ctl, controls: ["gen-bs2"] };
    expect(controlOf(gen, [cls, gen, named])?.id).toBe("cls-control");
    expect(controlOf(cls, [cls, gen, named])).toBeUndefined(); // it names its rows: no fallback
    expect(controlOf(ctl, [cls, gen, ctl])).toBeUndefined(); // a control has no control
  });
});

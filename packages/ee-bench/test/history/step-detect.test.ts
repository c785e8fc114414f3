import { describe, expect, it } from "vitest";
import { detectSteps, type SeriesPoint } from "../../src/history/step-detect.js";

const pts = (ds: number[], half = 0.5, floor = 0): SeriesPoint[] =>
  ds.map((d) => ({ deltaTPct: d, halfWidthPct: half, floorPct: floor }));

describe("detectSteps", () => {
  it("a lasting +3 pt step is found at its first run", () => {
    const s = detectSteps(pts([0.1, -0.2, 0.0, 3.1, 2.9, 3.0]));
    expect(s.map((x) => x.at)).toEqual([3]);
    expect(s[0].shiftPts).toBeCloseTo(3.0, 1);
  });

  it("one outlier night in the middle is not a step", () => {
    expect(detectSteps(pts([0.1, -0.2, 0.0, 3.1, 0.1, -0.1]))).toEqual([]);
  });

  it("the A/A control's reach raises the bar: a 3 pt step under a 4 % floor is not flagged", () => {
    expect(detectSteps(pts([0.1, -0.2, 0.0, 3.1, 2.9, 3.0], 0.5, 4))).toEqual([]);
    expect(detectSteps(pts([0.1, -0.2, 0.0, 3.1, 2.9, 3.0], 0.5, 1)).map((x) => x.at)).toEqual([3]);
  });

  it("wide per-run intervals hide a step they cover", () => {
    expect(detectSteps(pts([0.1, -0.2, 0.0, 3.1, 2.9, 3.0], 8))).toEqual([]);
  });

  it("scatter between runs larger than their intervals raises the bar", () => {
    // each run claims ±0.1, but the runs scatter by ±2 around their level
    expect(detectSteps(pts([2, -2, 1.5, 4.5, 1.5, 5], 0.1))).toEqual([]);
  });

  it("the last run alone can be a step; fewer than two runs cannot", () => {
    expect(detectSteps(pts([0.1, -0.1, 0.0, 0.05, 3.0])).map((x) => x.at)).toEqual([4]);
    expect(detectSteps(pts([0.1]))).toEqual([]);
    expect(detectSteps([])).toEqual([]);
  });
});

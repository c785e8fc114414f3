import { describe, expect, it } from "vitest";
import { createProgress, formatDuration, progressLine } from "../../src/runner/progress.js";

describe("progress", () => {
  it("ETA = elapsed / done × remaining", () => {
    expect(progressLine("r", 10, 40, 20_000)).toMatch(/r .* 10\/40 25% elapsed 20s ETA 1m00s$/);
    expect(progressLine("r", 0, 40, 0)).toMatch(/ETA \?$/);
    expect(formatDuration(3_725_000)).toBe("1h02m");
  });

  it("plain mode (not a TTY) prints whole lines at most every intervalMs, and a final line", () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({
      label: "x",
      total: 10,
      stream: { write: (s) => out.push(s) },
      intervalMs: 1000,
      now: () => t,
    });
    for (let i = 0; i < 10; i++) {
      t += 300;
      p.tick();
    }
    p.done();
    expect(out.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(out).toHaveLength(4); // at 300, 1500, 2700 ms (each ≥ 1000 ms apart) + done
    expect(out.at(-1)).toMatch(/10\/10 100%/);
  });

  it("TTY mode redraws in place with \\r", () => {
    const out: string[] = [];
    let t = 0;
    const p = createProgress({
      label: "x",
      total: 3,
      stream: { write: (s) => out.push(s), isTTY: true },
      now: () => t,
    });
    t = 200;
    p.tick();
    p.done();
    expect(out[0].startsWith("\r")).toBe(true);
    expect(out.at(-1)).toMatch(/^\r.* 1\/3 33% .*\n$/);
  });
});

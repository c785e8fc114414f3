/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`; `.ci/run` installs it)
 * opens a fake run's index.html. Without Chromium this test fails and says how to install it.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/datasets/csv.js";
import { type BrowserCheckResult, checkReportInBrowser } from "../../src/report/browser-check.js";
import { runSuite } from "../../src/runner/run-suite.js";
import { FakeClock, fakeFactory } from "../fake-targets.js";
import { fixtureData, fixtureSuite } from "../suite-fixture.js";

let runDir: string;
let page: BrowserCheckResult;

beforeAll(async () => {
  const { dataDir, manifestDir } = fixtureData();
  const suite = fixtureSuite();
  suite.rows.push({
    ...suite.rows[0],
    id: "cls-control",
    label: "Classifier A/A control",
    scheme: "control",
  });
  const clock = new FakeClock();
  ({ runDir } = await runSuite({
    suite,
    dataDir,
    manifestDir,
    reportsDir: mkdtempSync(join(tmpdir(), "ee-bench-browser-")),
    cacheDir: "/x",
    factory: fakeFactory({ clock, eeSlowdown: 0.01, eeJitter: 0.05 }),
    clock: clock.now,
    progressStream: { write: () => true },
    log: () => {},
  }));
  page = await checkReportInBrowser(runDir);
}, 120_000);

describe("index.html in headless Chromium", () => {
  it("every chart image decodes and every linked spec and PNG loads", () => {
    expect(page.images.length).toBeGreaterThanOrEqual(4);
    expect(page.images.filter((i) => !i.ok)).toEqual([]);
    expect(page.links.filter((l) => l.href.endsWith(".vl.json")).length).toBe(page.images.length);
    expect(page.links.filter((l) => l.href.endsWith(".png")).length).toBe(page.images.length);
    expect(page.links.filter((l) => !l.ok)).toEqual([]);
  });

  it("no console errors and no failed requests", () => {
    expect(page.consoleErrors).toEqual([]);
    expect(page.failedRequests).toEqual([]);
  });

  it("the table shows exactly table.csv, the control beside its row", () => {
    const csv = parseCsv(readFileSync(join(runDir, "table.csv"), "utf8")).map((r) => r.fields);
    expect(page.table).toEqual(csv);
    const head = csv[0];
    const cls = csv.find((r) => r[0] === "Classifier")!;
    expect(cls[head.indexOf("A/A control 95% CI (%)")]).toMatch(/^cls-control \[/);
    expect(cls[head.indexOf("stop")]).toBe("fixed R=3");
  });

  it("writes a screenshot beside the report", () => {
    expect(page.screenshot).toBe(join(runDir, "screenshot.png"));
    expect(existsSync(page.screenshot)).toBe(true);
    const png = readFileSync(page.screenshot);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(1400); // IHDR width: the viewport, or the wide table
    expect(statSync(page.screenshot).size).toBeGreaterThan(20_000);
  });

  it("the check sees a missing image, a missing spec, a console error and a table that differs", async () => {
    const broken = `${runDir}-broken`;
    cpSync(runDir, broken, { recursive: true });
    rmSync(join(broken, "charts", "delta-t.svg"));
    rmSync(join(broken, "charts", "fidelity.vl.json"));
    const html = readFileSync(join(broken, "index.html"), "utf8")
      .replace("</body>", '<script>console.error("boom")</script></body>')
      .replace(/<td>Classifier<\/td>/, "<td>Classifer</td>");
    writeFileSync(join(broken, "index.html"), html);
    const b = await checkReportInBrowser(broken);
    expect(b.images.filter((i) => !i.ok).map((i) => i.src)).toEqual(["charts/delta-t.svg"]);
    expect(b.links.filter((l) => !l.ok).map((l) => l.href)).toEqual(["charts/fidelity.vl.json"]);
    expect(b.consoleErrors.some((e) => e.includes("boom"))).toBe(true);
    expect(b.failedRequests.some((f) => f.includes("delta-t.svg"))).toBe(true);
    const csv = parseCsv(readFileSync(join(broken, "table.csv"), "utf8")).map((r) => r.fields);
    expect(b.table).not.toEqual(csv);
  }, 60_000);
});

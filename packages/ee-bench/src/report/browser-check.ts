/**
 * Opens a run's `index.html` in headless Chromium (Debian's `chromium`, or `$CHROMIUM`) through the
 * DevTools protocol (`cdp.ts`) and reports what a reader would see: whether every image and every
 * linked chart file (spec, PNG) loads, console errors, failed requests, the first table's cells, and
 * a full-page screenshot written beside the report (`screenshot.png`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { type CdpEvent, CdpPipe } from "./cdp.js";

/** What the page showed. */
export interface BrowserCheckResult {
  /** Every `<img>`: its src and whether it decoded with a non-zero width (flag). */
  images: { src: string; ok: boolean }[];
  /** Every linked chart file (`charts/*.vl.json`, `charts/*.png`): href and whether it loaded (a spec: as JSON with `$schema`) (flag). */
  links: { href: string; ok: boolean }[];
  /** Console errors, uncaught exceptions and error log entries (text). */
  consoleErrors: string[];
  /** Requests that failed or answered ≥ 400 (url and reason) (text). */
  failedRequests: string[];
  /** The first table's cells, header row first, as text (cells). */
  table: string[][];
  /** The screenshot written (absolute path). */
  screenshot: string;
}

/** Options of `checkReportInBrowser`. */
export interface BrowserCheckOptions {
  /** Chromium binary; default `$CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH (path). */
  chromium?: string;
  /** Give up after this long (ms); default 60,000. */
  timeoutMs?: number;
  /** Viewport width of the screenshot (px); default 1400. */
  widthPx?: number;
}

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome"];

/** The Chromium binary to use, or an Error saying how to install one. */
export function findChromium(explicit?: string): string {
  const wanted = explicit ?? process.env.CHROMIUM;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`Chromium not found at ${wanted} (from --chromium / $CHROMIUM)`);
    return wanted;
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of CANDIDATES) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `headless Chromium not found on PATH (tried ${CANDIDATES.join(", ")}): install it (Debian: apt-get install -y chromium) or set CHROMIUM=/path/to/chrome`,
  );
}

/** In-page script: images, linked chart files (via XHR, which file:// pages may use with the flag below), first table. */
const PAGE_SCRIPT = `(async () => {
  const load = (href) => new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open("GET", href);
    x.onload = () => resolve({ ok: x.status === 0 || (x.status >= 200 && x.status < 400), text: x.responseText });
    x.onerror = () => resolve({ ok: false, text: "" });
    x.send();
  });
  const images = [...document.images].map((i) => ({ src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0 }));
  const anchors = [...document.querySelectorAll("a[href^='charts/']")];
  const links = await Promise.all(anchors.map(async (a) => {
    const href = a.getAttribute("href");
    const r = await load(a.href);
    let ok = r.ok && r.text.length > 0;
    if (ok && href.endsWith(".json")) {
      try { ok = typeof JSON.parse(r.text).$schema === "string"; } catch { ok = false; }
    }
    return { href, ok };
  }));
  const t = document.querySelector("table");
  const table = t ? [...t.rows].map((r) => [...r.cells].map((c) => c.textContent)) : [];
  return { images, links, table, height: document.documentElement.scrollHeight };
})()`;

/** The event fields this module reads (each event has some of them). */
interface EventFields {
  type?: string;
  args?: { value?: unknown; description?: string }[];
  exceptionDetails?: { text?: string; exception?: { description?: string } };
  entry?: { level?: string; text?: string; url?: string };
  requestId?: string;
  request?: { url: string };
  errorText?: string;
  response?: { url: string; status: number };
}

/** Text of a console/exception/log event that is an error, else undefined. */
function errorText(e: CdpEvent): string | undefined {
  const p = e.params as EventFields;
  if (e.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert"))
    return `console.${p.type}: ${(p.args ?? []).map((a) => a.value ?? a.description).join(" ")}`;
  if (e.method === "Runtime.exceptionThrown")
    return `exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`;
  if (e.method === "Log.entryAdded" && p.entry?.level === "error")
    return `log: ${p.entry.text} ${p.entry.url ?? ""}`.trim();
  return undefined;
}

/** Launches headless Chromium with a DevTools pipe. */
function launch(binary: string, profile: string, widthPx: number): { proc: ChildProcess; cdp: CdpPipe } {
  const proc = spawn(
    binary,
    [
      "--headless",
      "--no-sandbox", // root in containers; the page is our own report
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--hide-scrollbars",
      "--allow-file-access-from-files",
      "--force-device-scale-factor=1",
      `--window-size=${widthPx},1000`,
      `--user-data-dir=${profile}`,
      "--remote-debugging-pipe",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
  );
  const cdp = new CdpPipe(proc.stdio[3] as Writable, proc.stdio[4] as Readable);
  return { proc, cdp };
}

/** Opens `<runDir>/index.html` in headless Chromium; see the module comment. */
export async function checkReportInBrowser(
  runDir: string,
  opts: BrowserCheckOptions = {},
): Promise<BrowserCheckResult> {
  const page = join(runDir, "index.html");
  if (!existsSync(page)) throw new Error(`${page} is missing: write the report first (ee table ${runDir})`);
  const binary = findChromium(opts.chromium);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const widthPx = opts.widthPx ?? 1400;
  const profile = mkdtempSync(join(tmpdir(), "ee-chromium-"));
  const { proc, cdp } = launch(binary, profile, widthPx);
  const exited = new Promise<never>((_, reject) => {
    proc.on("error", (e) => reject(new Error(`${binary}: ${e.message}`)));
    proc.on("exit", (code) => reject(new Error(`${binary} exited (code ${code}) before the check finished`)));
  });
  try {
    return await Promise.race([exited, inspect(cdp, page, runDir, timeoutMs, widthPx)]);
  } finally {
    proc.removeAllListeners("exit");
    const gone = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });
    await Promise.race([cdp.send("Browser.close").catch(() => {}), gone]);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

async function inspect(
  cdp: CdpPipe,
  page: string,
  runDir: string,
  timeoutMs: number,
  widthPx: number,
): Promise<BrowserCheckResult> {
  const { targetId } = (await cdp.send("Target.createTarget", { url: "about:blank" })) as {
    targetId: string;
  };
  const { sessionId } = (await cdp.send("Target.attachToTarget", { targetId, flatten: true })) as {
    sessionId: string;
  };
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const urls = new Map<string, string>();
  cdp.onEvent((e) => {
    if (e.sessionId !== sessionId) return;
    const p = e.params as EventFields;
    const err = errorText(e);
    if (err) consoleErrors.push(err);
    const id = p.requestId ?? "";
    if (e.method === "Network.requestWillBeSent" && p.request) urls.set(id, p.request.url);
    if (e.method === "Network.loadingFailed") failedRequests.push(`${urls.get(id) ?? id}: ${p.errorText}`);
    if (e.method === "Network.responseReceived" && p.response && p.response.status >= 400)
      failedRequests.push(`${p.response.url}: HTTP ${p.response.status}`);
  });
  for (const domain of ["Page", "Runtime", "Log", "Network"])
    await cdp.send(`${domain}.enable`, {}, sessionId);
  const loaded = cdp.waitFor(
    (e) => e.sessionId === sessionId && e.method === "Page.loadEventFired",
    timeoutMs,
    "page load",
  );
  await cdp.send("Page.navigate", { url: pathToFileURL(page).href }, sessionId);
  await loaded;
  const evaluated = (await cdp.send(
    "Runtime.evaluate",
    { expression: PAGE_SCRIPT, awaitPromise: true, returnByValue: true },
    sessionId,
  )) as {
    result: {
      value: Omit<BrowserCheckResult, "consoleErrors" | "failedRequests" | "screenshot"> & { height: number };
    };
  };
  const { images, links, table, height } = evaluated.result.value;
  await cdp.send(
    "Emulation.setDeviceMetricsOverride",
    { width: widthPx, height: Math.min(Math.max(height, 600), 16_000), deviceScaleFactor: 1, mobile: false },
    sessionId,
  );
  const shot = (await cdp.send(
    "Page.captureScreenshot",
    { format: "png", captureBeyondViewport: true },
    sessionId,
  )) as {
    data: string;
  };
  const screenshot = join(runDir, "screenshot.png");
  writeFileSync(screenshot, Buffer.from(shot.data, "base64"));
  return { images, links, consoleErrors, failedRequests, table, screenshot };
}

/**
 * Vega-Lite → Vega (vega-lite `compile`) → SVG (vega `View`, headless, renderer "none", `toSVG`) →
 * PNG (@resvg/resvg-js with the system DejaVu fonts).
 */
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VlSpec } from "./charts.js";

/** Compiles a Vega-Lite spec and renders it to SVG text. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const vg = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes SVG to PNG bytes at `scale` × the SVG size. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  return r.render().asPng();
}

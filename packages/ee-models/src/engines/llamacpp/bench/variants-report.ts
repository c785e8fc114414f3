/**
 * The variants table (markdown) and a chart that puts the variants side by side (a self-contained SVG:
 * fidelity against the fp32 truth for VI and EE, ΔT, and decode tokens/s, one group per variant).
 */
import type { MeanAgreement } from "./agreement.js";

/** One variant's measured row. */
export interface VariantRow {
  /** Variant label, e.g. `llama.cpp q8_0`. */
  readonly variant: string;
  /** VI seconds over all prompts and repetitions (s). */
  readonly viSec: number;
  /** EE seconds over all prompts and repetitions, client work included (s). */
  readonly eeSec: number;
  /** (EE − VI) / VI (percent). */
  readonly deltaTPct: number;
  /** Standard deviation of the per-repetition ΔT (percentage points). */
  readonly deltaTStdPct: number;
  /** Half-width of the 95 % t interval of the mean per-repetition ΔT (percentage points). */
  readonly deltaTCi95Pct: number;
  /** VI against the fp32 truth (onnxruntime fp32 VI). */
  readonly viVsTruth: MeanAgreement;
  /** Decrypted EE against the fp32 truth. */
  readonly eeVsTruth: MeanAgreement;
  /** Decrypted EE against this variant's own VI. */
  readonly viVsEe: MeanAgreement;
  /** VI decode speed (tokens/s). */
  readonly viDecodeTokPerSec: number;
  /** EE decode speed (tokens/s). */
  readonly eeDecodeTokPerSec: number;
  /** VI mean time to first token: prefill + choosing it (ms). */
  readonly viPrefillMs: number;
  /** EE mean time to first token (ms). */
  readonly eePrefillMs: number;
}

const pct = (x: number, d = 3) => (100 * x).toFixed(d);

/** The markdown table of `rows`. */
export function variantsMarkdown(rows: readonly VariantRow[], note: string): string {
  const head =
    "| variant | VI (s) | EE (s) | ΔT (%) | ΔT 95% CI | fid VI vs fp32 (%) | fid EE vs fp32 (%) | KL VI / EE vs fp32 (nats) | top-1 VI / EE (%) | tokens equal VI / EE (%) | VI vs EE fid (%) | VI vs EE tokens (%) | decode tok/s VI / EE | prefill ms VI / EE |\n" +
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  const body = rows
    .map((r) =>
      [
        r.variant,
        r.viSec.toFixed(2),
        r.eeSec.toFixed(2),
        `${r.deltaTPct >= 0 ? "+" : ""}${r.deltaTPct.toFixed(2)}`,
        `±${r.deltaTCi95Pct.toFixed(2)}`,
        pct(r.viVsTruth.fidelity),
        pct(r.eeVsTruth.fidelity),
        `${r.viVsTruth.kl.toExponential(1)} / ${r.eeVsTruth.kl.toExponential(1)}`,
        `${pct(r.viVsTruth.top1, 1)} / ${pct(r.eeVsTruth.top1, 1)}`,
        `${pct(r.viVsTruth.tokenAgreement, 1)} / ${pct(r.eeVsTruth.tokenAgreement, 1)}`,
        pct(r.viVsEe.fidelity),
        pct(r.viVsEe.tokenAgreement, 1),
        `${r.viDecodeTokPerSec.toFixed(1)} / ${r.eeDecodeTokPerSec.toFixed(1)}`,
        `${r.viPrefillMs.toFixed(1)} / ${r.eePrefillMs.toFixed(1)}`,
      ].join(" | "),
    )
    .map((l) => `| ${l} |`)
    .join("\n");
  return `${head}${body}\n\n${note}\n`;
}

/** One bar chart panel: groups (variants) × series, values with a label. */
function panel(
  x0: number,
  title: string,
  groups: readonly string[],
  series: readonly { name: string; color: string; values: readonly number[] }[],
  fmt: (v: number) => string,
  range: [number, number],
): string {
  const w = 300;
  const top = 40;
  const bottom = 200;
  const [lo, hi] = range;
  const y = (v: number) => bottom - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * (bottom - top);
  const gw = (w - 20) / groups.length;
  const bw = (gw - 10) / series.length;
  const parts = [`<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`];
  parts.push(
    `<line x1="${x0 + 10}" y1="${y(Math.max(lo, 0))}" x2="${x0 + w - 10}" y2="${y(Math.max(lo, 0))}" stroke="#444"/>`,
  );
  groups.forEach((g, gi) => {
    const gx = x0 + 10 + gi * gw;
    series.forEach((s, si) => {
      const v = s.values[gi];
      const base = y(Math.max(lo, 0));
      const yv = y(v);
      const bx = gx + 5 + si * bw;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${Math.min(yv, base).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${Math.abs(base - yv).toFixed(1)}" fill="${s.color}"><title>${g} ${s.name}: ${fmt(v)}</title></rect>`,
        `<text x="${(bx + bw / 2).toFixed(1)}" y="${(Math.min(yv, base) - 3).toFixed(1)}" text-anchor="middle" font-size="8">${fmt(v)}</text>`,
      );
    });
    parts.push(
      `<text x="${(gx + gw / 2).toFixed(1)}" y="${bottom + 14}" text-anchor="middle" font-size="9">${g}</text>`,
    );
  });
  return parts.join("\n");
}

/** The chart (SVG text). */
export function variantsSvg(rows: readonly VariantRow[], title: string): string {
  const groups = rows.map((r) => r.variant.replace("llama.cpp ", "lc "));
  const vi = "#4c78a8";
  const ee = "#f58518";
  const fidLo = Math.min(...rows.flatMap((r) => [r.viVsTruth.fidelity, r.eeVsTruth.fidelity])) * 100;
  const panels = [
    panel(
      0,
      "fidelity vs fp32 truth (%)",
      groups,
      [
        { name: "VI", color: vi, values: rows.map((r) => 100 * r.viVsTruth.fidelity) },
        { name: "EE", color: ee, values: rows.map((r) => 100 * r.eeVsTruth.fidelity) },
      ],
      (v) => v.toFixed(2),
      [Math.floor(Math.min(fidLo, 99.9) - 0.1), 100],
    ),
    panel(
      310,
      "ΔT = (EE − VI) / VI (%)",
      groups,
      [{ name: "ΔT", color: "#54a24b", values: rows.map((r) => r.deltaTPct) }],
      (v) => v.toFixed(1),
      [Math.min(0, ...rows.map((r) => r.deltaTPct)) - 1, Math.max(0, ...rows.map((r) => r.deltaTPct)) + 1],
    ),
    panel(
      620,
      "decode tokens/s",
      groups,
      [
        { name: "VI", color: vi, values: rows.map((r) => r.viDecodeTokPerSec) },
        { name: "EE", color: ee, values: rows.map((r) => r.eeDecodeTokPerSec) },
      ],
      (v) => v.toFixed(0),
      [0, Math.max(...rows.flatMap((r) => [r.viDecodeTokPerSec, r.eeDecodeTokPerSec])) * 1.1],
    ),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="930" height="260" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
<text x="465" y="250" text-anchor="middle" font-size="10">${title} — <tspan fill="${vi}">■ VI</tspan> <tspan fill="${ee}">■ EE</tspan></text>
</svg>
`;
}

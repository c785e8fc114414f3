/**
 * Match a checkpoint's tensor names to an architecture's expected HF names (see `hf-names.ts`), from
 * the headers only: missing, unexpected and mis-shaped tensors are reported together in one error that
 * names the folder; tensors HF ignores are listed for one warning line.
 */
import type { Architecture, ModelConfig } from "../types.js";
import { fixLegacyName, HF_NAMING } from "./hf-names.js";
import type { TensorSource } from "./source.js";

/** How a checkpoint's tensors map onto an architecture's names. */
export interface CheckpointPlan {
  /** Expected HF name → the name in the checkpoint, in the architecture's order. */
  sources: Map<string, string>;
  /** Checkpoint names not loaded because HF's class ignores them (a tied `lm_head` included). */
  ignored: string[];
  /** What was mapped, for the warning line: e.g. `2 LayerNorm.gamma/beta renamed`. */
  notes: string[];
}

/** How many names of each kind an error message lists before "… and N more". */
const LIST_MAX = 5;

function listSome(kind: string, items: string[]): string {
  if (items.length === 0) return "";
  const more = items.length > LIST_MAX ? ` … and ${items.length - LIST_MAX} more` : "";
  return `${items.length} ${kind}: ${items.slice(0, LIST_MAX).join(", ")}${more}`;
}

/** Plan the load of `source` (in folder `dir`) for `arch` with `cfg`; throws when it does not fit. */
export function planCheckpoint<C extends ModelConfig>(
  source: TensorSource,
  dir: string,
  arch: Architecture<C>,
  cfg: C,
): CheckpointPlan {
  const naming = HF_NAMING[arch.name];
  const expected = arch.tensorShapes(cfg);
  const raw = source.names();
  const prefix = `${naming.basePrefix}.`;
  // A bare base-model checkpoint (no name carries the prefix, but prefixed names are expected).
  const addPrefix =
    !raw.some((n) => n.startsWith(prefix)) && raw.some((n) => expected.has(prefix + fixLegacyName(n)));
  const notes: string[] = [];
  if (addPrefix) notes.push(`base-model names given the '${prefix}' prefix`);
  let renamed = 0;
  const sources = new Map<string, string>();
  const ignored: string[] = [];
  const unexpected: string[] = [];
  const duplicated: string[] = [];
  for (const n of raw) {
    const fixed = fixLegacyName(n);
    if (fixed !== n) renamed++;
    let hf = fixed;
    if (addPrefix && expected.has(prefix + fixed)) hf = prefix + fixed;
    if (expected.has(hf)) {
      if (sources.has(hf)) duplicated.push(`${hf} (${sources.get(hf)}, ${n})`);
      sources.set(hf, n);
    } else if (naming.ignored.some((re) => re.test(hf))) ignored.push(n);
    else if (hf === "lm_head.weight" && arch.name === "llama")
      ignored.push(n); // tied: HF re-ties it
    else unexpected.push(n);
  }
  if (renamed > 0) notes.push(`${renamed} LayerNorm.gamma/beta renamed to weight/bias`);
  const missing = [...expected.keys()].filter((n) => !sources.has(n));
  const misShaped: string[] = [];
  for (const [name, shape] of expected) {
    const src = sources.get(name);
    if (src === undefined) continue;
    const got = source.info(src).shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i]))
      misShaped.push(`${name} [${got.join(", ")}] (expected [${shape.join(", ")}])`);
  }
  if (missing.length + unexpected.length + misShaped.length + duplicated.length > 0) {
    const parts = [
      listSome("missing", missing),
      listSome("unexpected", unexpected),
      listSome("mis-shaped", misShaped),
      listSome("given twice", duplicated),
    ].filter((s) => s);
    throw new Error(`checkpoint ${dir} does not fit ${arch.hfClass} with this config: ${parts.join("; ")}`);
  }
  const ordered = new Map<string, string>();
  for (const name of expected.keys()) ordered.set(name, sources.get(name) as string);
  return { sources: ordered, ignored, notes };
}

/** The one warning line for a plan, or undefined when nothing was ignored or renamed. */
export function planWarning(plan: CheckpointPlan, dir: string, hfClass: string): string | undefined {
  const parts = [...plan.notes];
  if (plan.ignored.length > 0) {
    const shown = plan.ignored.slice(0, 3).join(", ");
    const more = plan.ignored.length > 3 ? `, … ${plan.ignored.length - 3} more` : "";
    parts.unshift(`${plan.ignored.length} tensors ${hfClass} does not use skipped (${shown}${more})`);
  }
  return parts.length > 0 ? `warning: checkpoint ${dir}: ${parts.join("; ")}` : undefined;
}

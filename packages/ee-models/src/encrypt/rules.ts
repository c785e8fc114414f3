/**
 * A table-driven pass over a state dict: each tensor is replaced by the transform of the first rule
 * whose pattern matches its Hugging Face name. A tensor no rule names is an error, so no weight can
 * reach an encrypted model untransformed by omission.
 */
import type { StateDict, Tensor } from "ee-core";

/** One rule of an encrypter. */
export interface TensorRule {
  /** Anchored pattern over HF tensor names; its capture groups reach `transform`. */
  pattern: RegExp;
  /** The encrypted tensor (may be `t` itself when the scheme leaves it unchanged). */
  transform(t: Tensor, match: RegExpMatchArray, name: string): Tensor | Promise<Tensor>;
}

/** Options of `applyRules`. */
export interface ApplyRulesOptions {
  /** Delete each plain tensor from the input once its encrypted version is made (peak ≈ one copy); its array may be reused. */
  consumeInput?: boolean;
  /** Called after each tensor with (tensors done, tensors in all, name just done). */
  onProgress?: (done: number, total: number, name: string) => void;
  /** Names the model in error messages, e.g. `"bert/full"`. */
  label: string;
}

/** Apply `rules` to every tensor of `weights`, in order; the result keeps the input's order. */
export async function applyRules(
  weights: StateDict,
  rules: TensorRule[],
  opts: ApplyRulesOptions,
): Promise<StateDict> {
  const names = [...weights.keys()];
  const out: StateDict = new Map();
  let done = 0;
  for (const name of names) {
    const t = weights.get(name) as Tensor;
    let match: RegExpMatchArray | null = null;
    const rule = rules.find((r) => (match = name.match(r.pattern)) !== null);
    if (rule === undefined || match === null) {
      throw new Error(
        `encrypt (${opts.label}): no rule for tensor '${name}'; refusing to copy it unencrypted`,
      );
    }
    const enc = await rule.transform(t, match, name);
    if (enc.shape.length !== t.shape.length || enc.shape.some((n, i) => n !== t.shape[i])) {
      throw new Error(`encrypt (${opts.label}): '${name}' changed shape [${t.shape}] → [${enc.shape}]`);
    }
    out.set(name, enc);
    if (opts.consumeInput) weights.delete(name);
    done++;
    opts.onProgress?.(done, names.length, name);
  }
  return out;
}

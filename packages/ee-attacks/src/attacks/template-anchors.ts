/**
 * Known plaintext: an attacker who knows the input template (BERT's `[CLS] … [SEP]`, Llama's chat
 * template with its special tokens, role names and a known system prompt) reads the encrypted ids
 * at the template's positions of each observed document. A position whose encrypted id agrees in at
 * least `minAgreement` of the documents yields an anchor pair (plain id of the template, encrypted id
 * seen). Conflicting pairs (a plain or encrypted id already anchored elsewhere) are dropped.
 */
import type { AnchorPairs, KnownTemplate, TokenCorpus } from "../types.js";

/** Derive anchors from `template` aligned with the starts and ends of the observed documents. */
export function anchorsFromTemplate(
  template: KnownTemplate,
  observed: TokenCorpus,
  vocabSize: number,
  minAgreement = 0.9,
): AnchorPairs {
  if (!(minAgreement > 0.5 && minAgreement <= 1))
    throw new Error(`anchorsFromTemplate: minAgreement must be in (0.5, 1], got ${minAgreement}`);
  const need = template.prefix.length + template.suffix.length;
  const docs = observed.docs.filter((d) => d.length >= need);
  const encOf = new Int32Array(vocabSize).fill(-1);
  const plainOf = new Int32Array(vocabSize).fill(-1);
  const conflicted = new Uint8Array(vocabSize);
  const plain: number[] = [];
  const encrypted: number[] = [];
  const consider = (p: number, at: (d: Int32Array) => number): void => {
    if (p < 0 || p >= vocabSize)
      throw new Error(`anchorsFromTemplate: template id ${p} outside [0, ${vocabSize})`);
    if (docs.length === 0) return;
    const votes = new Map<number, number>();
    for (const d of docs) {
      const e = at(d);
      votes.set(e, (votes.get(e) ?? 0) + 1);
    }
    let e = -1;
    let top = 0;
    for (const [k, v] of votes) if (v > top) [e, top] = [k, v];
    if (top < minAgreement * docs.length) return;
    if (encOf[p] === e && plainOf[e] === p) return; // repeated template token, already anchored
    if (encOf[p] !== -1 || plainOf[e] !== -1) {
      conflicted[p] = 1;
      return;
    }
    encOf[p] = e;
    plainOf[e] = p;
    plain.push(p);
    encrypted.push(e);
  };
  for (let i = 0; i < template.prefix.length; i++) consider(template.prefix[i], (d) => d[i]);
  for (let i = 0; i < template.suffix.length; i++)
    consider(template.suffix[i], (d) => d[d.length - template.suffix.length + i]);
  const keep = plain.map((p) => !conflicted[p]);
  return {
    plain: Int32Array.from(plain.filter((_, k) => keep[k])),
    encrypted: Int32Array.from(encrypted.filter((_, k) => keep[k])),
  };
}

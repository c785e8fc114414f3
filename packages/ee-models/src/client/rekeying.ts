/**
 * Per-session re-keying in the client protocol: one model encrypted under K independent keys (K
 * encrypted folders on the server's side, K keys on the client's), and every session — one `classify`
 * or `generate` call — sent to a member drawn uniformly at random with `crypto.randomInt`. A server that
 * logs traffic then sees each key on about 1/K of the tokens, so a traffic attack that needs N observed
 * tokens per key needs about K·N in all (README, Security: recovery against observed tokens). What it
 * does not change: whoever holds the weights attacks each copy as one model (weights attacks, logits
 * oracle), and the server holds K copies of the model (K× its memory and disk).
 */
import { randomInt } from "node:crypto";
import type {
  Engine,
  EngineFactory,
  EngineGenerateOptions,
  EngineGenerateResult,
  EngineOptions,
  IdSequences,
} from "../engines/engine.js";
import { type EncryptedClassifyResult, EncryptedEngine } from "./engine.js";

/** One member: an encrypted folder and the key it was encrypted with (paths). */
export interface RekeyingMember {
  /** Encrypted model folder (path). */
  folder: string;
  /** Its key file (path). */
  key: string;
}

/** Several encrypted copies of one model behind the EE client; each call goes to a random copy. */
export class RekeyingEngine implements Engine {
  /** The copies, each an `EncryptedEngine` over its own folder and key. */
  readonly members: readonly EncryptedEngine[];
  /** Calls sent to each member so far (calls), in member order. */
  readonly sessions: number[];
  private readonly draw: (k: number) => number;

  /**
   * Wrap opened members (at least two, distinct keys, one scheme, one model shape). `draw(k)` picks a
   * member in [0, k); default `crypto.randomInt` (a test may pass its own).
   */
  constructor(members: readonly EncryptedEngine[], draw: (k: number) => number = (k) => randomInt(k)) {
    if (members.length < 2)
      throw new Error(`re-keying needs at least 2 encrypted copies, got ${members.length}`);
    const first = members[0];
    const seen = new Map<string, string>();
    for (const m of members) {
      const where = m.client.encDir;
      const fp = m.client.manifest.keyFingerprint;
      const twin = seen.get(fp);
      if (twin !== undefined) throw new Error(`re-keying: ${where} and ${twin} use the same key`);
      seen.set(fp, where);
      const differs = (field: string, a: unknown, b: unknown) =>
        new Error(
          `re-keying: ${where} has ${field} ${String(a)}, but ${first.client.encDir} has ${String(b)}`,
        );
      if (m.client.manifest.scheme !== first.client.manifest.scheme)
        throw differs("scheme", m.client.manifest.scheme, first.client.manifest.scheme);
      if (m.task !== first.task) throw differs("task", m.task, first.task);
      if (m.outputSize !== first.outputSize) throw differs("output size", m.outputSize, first.outputSize);
      if (m.maxPositions !== first.maxPositions)
        throw differs("max positions", m.maxPositions, first.maxPositions);
    }
    this.members = members;
    this.sessions = members.map(() => 0);
    this.draw = draw;
  }

  /** Open every member with `factory` (each key checked against its folder's ee.json first). */
  static async open(
    factory: EngineFactory,
    members: readonly RekeyingMember[],
    opts: EngineOptions = {},
  ): Promise<RekeyingEngine> {
    const opened: EncryptedEngine[] = [];
    try {
      for (const m of members) opened.push(await EncryptedEngine.open(factory, m.folder, m.key, opts));
      return new RekeyingEngine(opened);
    } catch (e) {
      for (const o of opened) await o.close();
      throw e;
    }
  }

  /** The member for the next session. */
  private next(): EncryptedEngine {
    const i = this.draw(this.members.length);
    if (!Number.isInteger(i) || i < 0 || i >= this.members.length)
      throw new Error(`re-keying: drew member ${i} of ${this.members.length}`);
    this.sessions[i]++;
    return this.members[i];
  }

  get info() {
    return this.members[0].info;
  }
  get task() {
    return this.members[0].task;
  }
  get outputSize() {
    return this.members[0].outputSize;
  }
  get maxPositions() {
    return this.members[0].maxPositions;
  }

  /** One session: classify on a random copy (plain ids in, plain class logits out). */
  classify(ids: IdSequences): Promise<EncryptedClassifyResult> {
    return this.next().classify(ids);
  }

  /** One session: generate on a random copy (plain ids in and out). */
  generate(prompts: IdSequences, opts: EngineGenerateOptions): Promise<EngineGenerateResult> {
    return this.next().generate(prompts, opts);
  }

  async close(): Promise<void> {
    for (const m of this.members) await m.close();
  }
}

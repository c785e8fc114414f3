/**
 * The VI and EE engines of an `http` row whose servers run elsewhere (vLLM, TGI, llama.cpp's server, or
 * `ee serve` started by hand): the http engine on `vi`, and the EE client — its key checked against the
 * client's copy of the encrypted folder — around the http engine on `ee`. Nothing is built or
 * encrypted: the row's preset gives the tokenizer and the shapes, and the encrypted folder's
 * vocabulary must match them. Every error names the suite field (`<file>: /rows/N/servers/external/key`)
 * or the row and the server's URL.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { EEClient, EncryptedEngine, type Engine, getEngine, getPreset, readManifest } from "ee-models";
import type { ExternalServers, SuiteRow, TargetFactoryContext } from "../types.js";
import { type RowEngines, rowEngineOptions } from "./engines.js";

/** What a row against external servers knows of its model without building it. */
export interface ExternalModel {
  /** Marks the external case. */
  kind: "external";
  /** The servers (from the suite). */
  servers: ExternalServers;
  /** Vocabulary size of the preset's tokenizer, equal to the encrypted folder's (tokens). */
  vocabSize: number;
  /** Longest sequence of the preset (tokens). */
  maxPositions: number;
  /** The preset's tokenizer (registry name), or null when ids come from Llama 3.1's modulo the vocabulary. */
  presetTokenizer: string | null;
}

/** An integer field of a parsed JSON object, or undefined. */
function intField(o: unknown, key: string): number | undefined {
  const v = (o as Record<string, unknown> | null)?.[key];
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/** Read `path` as JSON; errors name `field`. */
function readJson(path: string, field: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${field}: ${path} is not readable JSON (${(e as Error).message})`);
  }
}

/**
 * Check, without opening the key, that the row's files are there and fit: the encrypted folder has
 * ee.json (same scheme as the row) and a config.json whose `vocab_size` is the preset's, and the key
 * file exists. Cheap: run before a run folder is made, and again when the row opens.
 */
export function checkExternalRow(row: SuiteRow, s: ExternalServers): ExternalModel {
  const folderField = `${s.at}/encryptedFolder`;
  if (!existsSync(s.encryptedFolder) || !statSync(s.encryptedFolder).isDirectory())
    throw new Error(
      `${folderField}: ${s.encryptedFolder} is not a folder (the client's copy of the encrypted model)`,
    );
  if (!existsSync(join(s.encryptedFolder, "ee.json")))
    throw new Error(`${folderField}: ${s.encryptedFolder} has no ee.json (not an encrypted model folder)`);
  if (!existsSync(s.key) || !statSync(s.key).isFile())
    throw new Error(`${s.at}/key: key file ${s.key} not found`);
  let scheme: string;
  try {
    scheme = readManifest(s.encryptedFolder).scheme;
  } catch (e) {
    throw new Error(`${folderField}: ${(e as Error).message}`);
  }
  if (scheme !== row.scheme)
    throw new Error(
      `${folderField}: ${s.encryptedFolder} was encrypted with scheme "${scheme}", but row ${row.id} says scheme "${row.scheme}"`,
    );
  const p = getPreset(row.model);
  const preset = p.config;
  const vocabSize = intField(preset, "vocab_size");
  const maxPositions = intField(preset, "max_position_embeddings");
  if (vocabSize === undefined || maxPositions === undefined)
    throw new Error(`row ${row.id}: preset ${row.model} has no vocab_size/max_position_embeddings`);
  const configPath = join(s.encryptedFolder, "config.json");
  if (!existsSync(configPath)) throw new Error(`${folderField}: ${configPath} not found`);
  const folderVocab = intField(readJson(configPath, folderField), "vocab_size");
  if (folderVocab !== vocabSize)
    throw new Error(
      `${folderField}: config.json has vocab_size ${folderVocab ?? "(none)"}, but row ${row.id}'s model ${row.model} has a ${vocabSize}-token vocabulary (is "model" the preset this folder was encrypted from?)`,
    );
  return { kind: "external", servers: s, vocabSize, maxPositions, presetTokenizer: p.tokenizer ?? null };
}

/** `engine`, whose errors also name the row and which server failed. */
function namesRow<E extends Engine>(engine: E, where: string): E {
  const generate = engine.generate.bind(engine);
  engine.generate = async (prompts, opts) => {
    try {
      return await generate(prompts, opts);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    }
  };
  return engine;
}

/** Open the http engine on `url`, checking its vocabulary against the preset's. */
async function openSide(
  url: string,
  m: ExternalModel,
  extra: Record<string, string | number | boolean>,
  where: string,
): Promise<Engine> {
  let engine: Engine;
  try {
    // the encrypted folder's config.json fills in what a server's /v1/models omits (vLLM: the
    // vocabulary size); plain and encrypted models have the same shapes
    engine = await getEngine("http").open(m.servers.encryptedFolder, { extra: { ...extra, endpoint: url } });
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
  if (engine.task !== "generate" || engine.outputSize !== m.vocabSize) {
    await engine.close();
    throw new Error(
      `${where}: serves a ${engine.task} model with ${engine.outputSize} outputs, expected a ${m.vocabSize}-token vocabulary`,
    );
  }
  return namesRow(engine, where);
}

/** What the server published of its model's encryption (`ee serve`: ee.json's public fields; vLLM: nothing). */
function publishedFingerprint(engine: Engine): string | null {
  const facts = (engine as { facts?: { encryption?: { keyFingerprint: string } | null } }).facts;
  return facts?.encryption?.keyFingerprint ?? null;
}

/**
 * Where the servers say what they serve, it must fit: the VI server a plain model, the EE server the
 * model `encryptedFolder` describes (same key fingerprint). Catches swapped or stale URLs.
 */
function checkPublished(vi: Engine, ee: Engine, client: EEClient, s: ExternalServers): void {
  const viFp = publishedFingerprint(vi);
  if (viFp !== null)
    throw new Error(
      `${s.at}/vi: ${s.vi} serves an encrypted model (key ${viFp.slice(0, 12)}…); vi must serve the plain one`,
    );
  const eeFp = publishedFingerprint(ee);
  const want = client.manifest.keyFingerprint;
  if (eeFp !== null && eeFp !== want)
    throw new Error(
      `${s.at}/ee: ${s.ee} serves a model encrypted with key ${eeFp.slice(0, 12)}…, but encryptedFolder's ee.json says ${want.slice(0, 12)}…`,
    );
}

/** Opens the row's VI and EE http engines on the external servers. */
export async function openExternalEngines(
  row: SuiteRow,
  m: ExternalModel,
  ctx: TargetFactoryContext,
): Promise<RowEngines> {
  const s = m.servers;
  let client: EEClient;
  try {
    client = EEClient.open(s.encryptedFolder, s.key);
  } catch (e) {
    throw new Error(`${s.at}/key: ${(e as Error).message}`, { cause: e });
  }
  const opts = rowEngineOptions(row, ctx);
  const extra = { ...opts.extra };
  const vi = await openSide(s.vi, m, extra, `row ${row.id}, VI server ${s.vi}`);
  let inner: Engine | undefined;
  try {
    inner = await openSide(s.ee, m, extra, `row ${row.id}, EE server ${s.ee}`);
    checkPublished(vi, inner, client, s);
  } catch (e) {
    await inner?.close();
    await vi.close();
    throw e;
  }
  ctx.log(`row ${row.id}: plain on ${s.vi}, encrypted on ${s.ee}`);
  const concurrency = opts.extra?.concurrency ?? 1;
  return {
    vi,
    ee: new EncryptedEngine(client, inner),
    runtime:
      row.runtime ?? `external OpenAI-compatible servers (VI ${s.vi}, EE ${s.ee}; ${concurrency} concurrent)`,
    info: {
      engine: { ...vi.info },
      engineOptions: { extra },
      servers: { vi: s.vi, ee: s.ee, encryptedFolder: s.encryptedFolder, launcher: "external" },
    },
  };
}

/** Types of scripts/origin-server.mjs (the loopback origin used by tests of every package). */
export interface OriginServerFaults {
  /** URL paths whose next GET body is cut halfway. */
  cutOnce: Set<string>;
  /** URL paths served with their first byte flipped. */
  corrupt: Set<string>;
  /** URL path → how many more requests get 503. */
  fail503: Map<string, number>;
}
export interface OriginServerOptions {
  /** Data directory in the mirror layout (for GitHub raw paths). */
  dataDir?: string;
  /** Manifest TSVs mapping origin paths to logical paths. */
  tsvFiles?: string[];
  /** Folder `owner/name/<files>` served as Hub repositories. */
  hubRoot?: string;
  /** Commit the Hub answers with (40 hex). */
  hubCommit?: string;
  /** Hub repositories that need `token`. */
  gated?: string[];
  /** The token a gated repository accepts. */
  token?: string;
  /** Faults to inject. */
  faults?: Partial<OriginServerFaults>;
  /** Delay before answering each GET (ms). */
  delayMs?: number;
  /** Port (default: any free one). */
  port?: number;
}
export interface OriginServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every request seen, in order. */
  requests: { method: string; path: string; range: string | undefined }[];
  faults: OriginServerFaults;
  close(): Promise<void>;
}
export function originIndex(tsvFiles: string[]): Map<string, string>;
export function startOriginServer(opts?: OriginServerOptions): Promise<OriginServer>;

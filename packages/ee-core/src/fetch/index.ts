/** The acquisition layer: every external input from its mirror, cache or pinned public origin. */
export {
  type AcquireOptions,
  type AcquireReport,
  acquireFile,
  acquireFiles,
  type FileSource,
  type FileTally,
} from "./acquire.js";
export { blobPath, cacheDataDir } from "./cache.js";
export {
  DATA_LAYOUT,
  type DataDirOptions,
  dataFile,
  FETCH_HINT,
  findMirror,
  type Mirror,
  type MirrorSource,
  resolveDataDir,
} from "./data-dir.js";
export { type DownloadOptions, type DownloadResult, downloadFile, type Expected } from "./download.js";
export { FetchError, type FetchErrorKind, gatedMessage } from "./errors.js";
export {
  type HubSnapshot,
  type HubSnapshotOptions,
  hubRepoDir,
  hubRepoFolderName,
  hubSnapshot,
} from "./hub.js";
export {
  defaultOriginsManifestPath,
  expandPath,
  loadOriginsManifest,
  ORIGINS_COLUMNS,
  type OriginsManifest,
  type PinnedFile,
  parseOriginsManifest,
} from "./manifest.js";
export {
  type GithubOrigin,
  type HubOrigin,
  type HubRef,
  isHubRef,
  type Origin,
  originUrl,
  parseHubRef,
} from "./origins.js";
export { formatBytes, type ProgressSink } from "./progress.js";
export { findRepoRoot } from "./repo-root.js";
export { type FetchSettings, fetchSettings } from "./settings.js";

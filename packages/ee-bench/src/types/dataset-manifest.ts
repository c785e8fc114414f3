/** The `datasets/<name>.json` manifest. */

/** A `datasets/<name>.json` manifest: which files a dataset reads, relative to the data directory. */
export interface DatasetManifest {
  /** Registry name, equal to the file name without `.json` (text). */
  name: string;
  /** One line for listings (text). */
  description: string;
  /** Format registry key used to parse the files (text). */
  format: string;
  /** Files or folders to read, relative to the data directory (paths). */
  paths: string[];
  /** Paper sampling default (samples). */
  defaultCount: number;
  /** Expected sha256 of single files, keyed by path relative to the data directory (hex). */
  sha256?: Record<string, string>;
  /** Where the files come from, for the error message when they are missing (text). */
  source: string;
}

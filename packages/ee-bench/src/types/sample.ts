/** A sample: one review or prompt fed to a target. */

/** One review or prompt fed to a target. */
export interface BenchSample {
  /** Id unique within its dataset, e.g. `pos/12_9`, `81`, `fzcoUcK_0` (text). */
  id: string;
  /** The review or prompt (UTF-8 text). */
  text: string;
  /** Gold class for classification data (class id); absent for prompts. */
  label?: number;
  /** Registry name of the dataset it came from (text). */
  dataset: string;
}

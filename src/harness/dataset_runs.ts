/**
 * One experiment, one procedure call per data set: an experiment whose `data.dataset` is a list
 * runs the procedure once per data set, in the order listed, each with the config narrowed to
 * that data set (so a procedure only ever sees one, and the trained-network cache keys it like a
 * single-data-set experiment) and its runs in `<results>/<dataset>/`. A single data set runs in
 * the results folder itself, as before lists existed. A data set a procedure reads besides its
 * own (ProcedureSpec.otherDatasets) has its runs where its own call puts them, or in
 * `<results>/<dataset>/` when the experiment does not run on it.
 */
import { datasetsOf, listsDatasets } from "../config/datasets.ts";
import type { DatasetName } from "../config/datasets.ts";
import type { ResolvedConfig } from "../config/types.ts";
import { datasetDirectory } from "../io/paths.ts";

export interface DatasetRun {
  dataset: DatasetName;
  /** The resolved config with `data.dataset` narrowed to this data set. */
  config: ResolvedConfig;
  /** Where the procedure writes this data set's runs. */
  directory: string;
  /** "mnist (1/2): " before a progress line when there are several data sets, else "". */
  progressPrefix: string;
}

export function datasetRuns(config: ResolvedConfig, directory: string): DatasetRun[] {
  const names = datasetsOf(config.data);
  const several = listsDatasets(config.data);
  return names.map((dataset, i) => ({
    dataset,
    config: several ? { ...config, data: { ...config.data, dataset } } : config,
    directory: several ? datasetDirectory(directory, dataset) : directory,
    progressPrefix: several ? `${dataset} (${i + 1}/${names.length}): ` : "",
  }));
}

/**
 * Where the runs of data set `name` lie in the results folder `directory` of `config` (the whole
 * config, data.dataset as the file gives it): where datasetRuns puts them when the experiment
 * runs on it, else `<results>/<name>/`.
 */
export function datasetRunDirectory(
  config: ResolvedConfig,
  directory: string,
  name: DatasetName,
): string {
  const only = !listsDatasets(config.data) && datasetsOf(config.data)[0] === name;
  return only ? directory : datasetDirectory(directory, name);
}

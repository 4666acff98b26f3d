/**
 * The data sets an experiment may name in `data.dataset`: one name, or a list of names when the
 * experiment runs the same procedure on several data sets (each into its own results subfolder).
 */

/** In the order messages list them. */
export const DATASET_NAMES = ["mnist", "fashion-mnist", "cifar-10"] as const;

export type DatasetName = typeof DATASET_NAMES[number];

/** The data sets of `data.dataset`, in the order the config lists them. */
export function datasetsOf(data: { dataset: DatasetName | DatasetName[] }): DatasetName[] {
  return Array.isArray(data.dataset) ? [...data.dataset] : [data.dataset];
}

/**
 * Whether the config lists several data sets (the schema wants two or more in a list): then each
 * runs into `<results>/<dataset>/`, result rows name it and claims name the data set they read.
 */
export function listsDatasets(data: { dataset: DatasetName | DatasetName[] }): boolean {
  return Array.isArray(data.dataset);
}

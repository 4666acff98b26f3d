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

/** Each data set's image shape (channels x rows x cols, channel-major), classes and split sizes. */
export const DATASET_SHAPES: Record<
  DatasetName,
  { channels: number; rows: number; cols: number; classes: number; train: number; test: number }
> = {
  "mnist": { channels: 1, rows: 28, cols: 28, classes: 10, train: 60000, test: 10000 },
  "fashion-mnist": { channels: 1, rows: 28, cols: 28, classes: 10, train: 60000, test: 10000 },
  // 3 x 32 x 32 colour images, from --data-dir (src/data/cifar10.ts).
  "cifar-10": { channels: 3, rows: 32, cols: 32, classes: 10, train: 50000, test: 10000 },
};

/** The class count of the config's data sets (the schema requires them to agree). */
export function classesOf(data: { dataset: DatasetName | DatasetName[] }): number {
  return DATASET_SHAPES[datasetsOf(data)[0]].classes;
}

/** Public entry of the data folder: data sets, IDX reading, splits and seeded random streams. */

import { UsageError } from "../base/errors.ts";
import type { LoadedDataset } from "./dataset.ts";
import { loadFashionMnist } from "./fashion_mnist.ts";
import { loadMnist, type LoadOptions } from "./mnist.ts";
import { loadCifar10 } from "./cifar10.ts";

export { featuresOf, type ImageDataset, type LoadedDataset } from "./dataset.ts";
export { type IdxArray, type IdxFile, isGzip, parseIdx, readIdxFile } from "./idx.ts";
export { IDX_FILE_NAMES, loadIdxDirectory, loadMnist, type LoadOptions } from "./mnist.ts";
export { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from "./fashion_mnist.ts";
export { CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, loadCifar10 } from "./cifar10.ts";
export { splitValidation, takeFirst } from "./split.ts";
export { sha256Hex } from "../base/checksum.ts";
export { counterU32, mix32, Rng, streamKey, u32ToUnit } from "../base/rng.ts";

export type DatasetName = "mnist" | "fashion-mnist" | "cifar-10";

/** Loads a data set by its config name. */
export async function loadDataset(
  name: DatasetName,
  options: LoadOptions = {},
): Promise<LoadedDataset> {
  switch (name) {
    case "mnist":
      return await loadMnist(options);
    case "fashion-mnist":
      return await loadFashionMnist(options);
    case "cifar-10":
      return loadCifar10(options);
    default:
      // Reachable from untyped YAML input despite the type.
      throw new UsageError(
        `data set "${name as string}" is unknown; use "mnist", "fashion-mnist" or "cifar-10"`,
      );
  }
}

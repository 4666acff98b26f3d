/** Public entry of the data folder: data sets, IDX reading, splits and seeded random streams. */

import { UsageError } from "../base/errors.ts";
import type { LoadedDataset } from "./dataset.ts";
import { loadFashionMnist } from "./fashion_mnist.ts";
import { loadMnist, type LoadOptions } from "./mnist.ts";

export type { ImageDataset, LoadedDataset } from "./dataset.ts";
export { type IdxArray, type IdxFile, isGzip, parseIdx, readIdxFile } from "./idx.ts";
export { IDX_FILE_NAMES, loadIdxDirectory, loadMnist, type LoadOptions } from "./mnist.ts";
export { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from "./fashion_mnist.ts";
export { splitValidation, takeFirst } from "./split.ts";
export { sha256Hex } from "../base/checksum.ts";
export { counterU32, mix32, Rng, streamKey, u32ToUnit } from "../base/rng.ts";

export type DatasetName = "mnist" | "fashion-mnist";

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
    default:
      // Reachable from untyped YAML input despite the type.
      throw new UsageError(
        `data set "${name as string}" is unknown; use "mnist" or "fashion-mnist"`,
      );
  }
}

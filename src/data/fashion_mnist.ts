/** Fashion-MNIST: same IDX layout as MNIST; the default copy is Debian's dataset-fashion-mnist. */

import { existsSync } from "node:fs";
import { UsageError } from "../base/errors.ts";
import type { LoadedDataset } from "./dataset.ts";
import { loadIdxDirectory, type LoadOptions } from "./mnist.ts";

/** Where `apt-get install dataset-fashion-mnist` puts the four gzipped IDX files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

const HINT = "run `apt-get install dataset-fashion-mnist` or pass --data-dir pointing at a " +
  "directory with the four Fashion-MNIST IDX files";

/** Fashion-MNIST: `dataDir` if given, else the Debian package's directory. */
export async function loadFashionMnist(options: LoadOptions = {}): Promise<LoadedDataset> {
  const dir = options.dataDir ?? FASHION_MNIST_DEFAULT_DIR;
  if (options.dataDir === undefined && !existsSync(dir)) {
    throw new UsageError(`fashion-mnist: default directory ${dir} does not exist; ${HINT}`);
  }
  return await loadIdxDirectory("fashion-mnist", dir, HINT);
}

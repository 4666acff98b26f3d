/**
 * CIFAR-10 from its binary version (Krizhevsky 2009; cifar-10-binary.tar.gz, folder
 * cifar-10-batches-bin): data_batch_1..5.bin (50,000 training images) and test_batch.bin (10,000).
 * Every record is 1 label byte (0..9) and 3,072 pixel bytes: 1,024 red, 1,024 green, 1,024 blue,
 * each 32x32 row-major, so an image is channel-major (NCHW) as the ImageDataset stores it. The tool
 * cannot download the data: it reads a directory the user gives with --data-dir.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../base/errors.ts";
import { sha256Hex } from "../base/checksum.ts";
import type { ImageDataset, LoadedDataset } from "./dataset.ts";
import type { LoadOptions } from "./mnist.ts";

/**
 * CIFAR-10's per-channel (red, green, blue) mean and standard deviation over all pixels of the
 * 50,000 training images scaled to [0, 1], to 4 places: the common full-precision values are
 * means (0.49139968, 0.48215841, 0.44653091) and stds (0.24703223, 0.24348513, 0.26158784);
 * Stevens, Antiga & Viehmann, Deep Learning with PyTorch (2020), ch. 7, compute the same stds.
 * For `data.normalize`. Not to be confused with (0.2023, 0.1994, 0.2010), the mean of per-image
 * stds; open_lth's CIFAR-10 normalises with ImageNet's (0.485, 0.456, 0.406) / (0.229, 0.224,
 * 0.225) instead (datasets/cifar10.py).
 */
export const CIFAR10_NORMALIZE = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2470, 0.2435, 0.2616],
} as const;

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = "test_batch.bin";

const SIDE = 32;
const CHANNELS = 3;
const CLASSES = 10;
const PIXELS = CHANNELS * SIDE * SIDE;
const RECORD = 1 + PIXELS;

const WHERE = "download the binary version (cifar-10-binary.tar.gz) from " +
  "https://www.cs.toronto.edu/~kriz/cifar.html, extract it and pass --data-dir " +
  "<folder>/cifar-10-batches-bin";

/** Training and test images from `options.dataDir`. */
export function loadCifar10(options: LoadOptions = {}): LoadedDataset {
  const dir = options.dataDir;
  if (dir === undefined) {
    throw new UsageError(`cifar-10: no data directory was given; ${WHERE}`);
  }
  const checksums: Record<string, string> = {};
  const read = (file: string) => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      throw new UsageError(`cifar-10: ${path} does not exist; ${WHERE}`);
    }
    const bytes = new Uint8Array(readFileSync(path));
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new UsageError(
        `cifar-10: ${path} has ${bytes.length} bytes, not a whole number of ${RECORD}-byte records (1 label + ${PIXELS} pixels); the file is truncated or not CIFAR-10's binary version; ${WHERE}`,
      );
    }
    checksums[file] = sha256Hex(bytes);
    return { path, bytes };
  };
  return {
    name: "cifar-10",
    train: records("train", CIFAR10_TRAIN_FILES.map(read)),
    test: records("test", [read(CIFAR10_TEST_FILE)]),
    checksums,
    source: dir,
  };
}

/** The records of several files, in file order, as one ImageDataset. */
function records(name: string, files: { path: string; bytes: Uint8Array }[]): ImageDataset {
  const count = files.reduce((n, file) => n + file.bytes.length / RECORD, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const { path, bytes } of files) {
    for (let r = 0; r < bytes.length / RECORD; r++, at++) {
      const label = bytes[r * RECORD];
      if (label >= CLASSES) {
        throw new UsageError(
          `cifar-10: record ${r} of ${path} has label ${label}, not 0..9; the file is not CIFAR-10's binary version (CIFAR-100's records are 3,074 bytes); ${WHERE}`,
        );
      }
      labels[at] = label;
      images.set(bytes.subarray(r * RECORD + 1, (r + 1) * RECORD), at * PIXELS);
    }
  }
  return {
    name,
    count,
    rows: SIDE,
    cols: SIDE,
    channels: CHANNELS,
    classes: CLASSES,
    images,
    labels,
  };
}

/** The in-memory shapes of a loaded image-classification data set. */

/**
 * One split of images with their labels; image i is bytes [i*f, (i+1)*f) with
 * f = featuresOf(dataset) = channels * rows * cols, channel-major (NCHW) when channels > 1.
 */
export interface ImageDataset {
  name: string;
  count: number;
  rows: number;
  cols: number;
  /** Colour channels (CIFAR-10: 3); absent = 1 (grey). */
  channels?: number;
  classes: number;
  /** count*rows*cols grey levels 0..255, row-major per image. */
  images: Uint8Array;
  /** count class indices in [0, classes). */
  labels: Uint8Array;
}

/** A data set as read from disk, with the provenance the results record. */
export interface LoadedDataset {
  name: string;
  train: ImageDataset;
  test: ImageDataset;
  /** File base name as stored (e.g. "train-images-idx3-ubyte.gz") -> sha256 hex of its bytes. */
  checksums: Record<string, string>;
  /** The directory the files were read from. */
  source: string;
}

/** Bytes (features) per image: channels x rows x cols. */
export function featuresOf(dataset: ImageDataset): number {
  return (dataset.channels ?? 1) * dataset.rows * dataset.cols;
}

/** The in-memory shapes of a loaded image-classification data set. */

/** One split of images with their labels; image i is bytes [i*rows*cols, (i+1)*rows*cols). */
export interface ImageDataset {
  name: string;
  count: number;
  rows: number;
  cols: number;
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

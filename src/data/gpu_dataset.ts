/**
 * A data set resident on the GPU as packed bytes: the training, validation and test examples
 * concatenated (uint8 pixels and labels, 4 to a u32 word), addressed by example index. Batches
 * are gathered on the GPU through index buffers, so a training step needs no upload.
 */
import type { BufferPool } from "../gpu/mod.ts";
import { type ImageShape, packBytes } from "../nn/gather_batch.ts";
import { featuresOf, type ImageDataset } from "./dataset.ts";

export interface GpuDataset {
  features: number;
  /** An example's shape: channel-major, features = channels * rows * cols. */
  shape: ImageShape;
  classes: number;
  pixels: GPUBuffer;
  labels: GPUBuffer;
  /**
   * The same bytes on the host, for work done on the CPU (pruning-at-init saliencies): pixel
   * bytes of example i at [i * features, (i + 1) * features), and its label.
   */
  host: { pixels: Uint8Array; labels: Uint8Array };
  /** Example indices of each part within the concatenation. */
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

export function uploadDataset(
  pool: BufferPool,
  parts: { train: ImageDataset; validation: ImageDataset; test: ImageDataset },
): GpuDataset {
  const features = featuresOf(parts.train);
  const all = [parts.train, parts.validation, parts.test];
  const total = all.reduce((n, part) => n + part.count, 0);
  const pixels = new Uint8Array(total * features);
  const labels = new Uint8Array(total);
  const ranges: Uint32Array[] = [];
  let at = 0;
  for (const part of all) {
    pixels.set(part.images, at * features);
    labels.set(part.labels, at);
    ranges.push(Uint32Array.from({ length: part.count }, (_, i) => at + i));
    at += part.count;
  }
  const { rows, cols } = parts.train;
  return {
    features,
    shape: { channels: parts.train.channels ?? 1, rows, cols },
    classes: parts.train.classes,
    pixels: pool.upload("dataset pixels", packBytes(pixels)),
    labels: pool.upload("dataset labels", packBytes(labels)),
    host: { pixels, labels },
    train: ranges[0],
    validation: ranges[1],
    test: ranges[2],
  };
}

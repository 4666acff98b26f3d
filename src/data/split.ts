/** Held-out validation split and size caps, both as fresh ImageDatasets (inputs stay untouched). */

import { UsageError } from "../base/errors.ts";
import { featuresOf, type ImageDataset } from "./dataset.ts";
import { STREAMS } from "../base/streams.ts";

/** Copies examples `indices` of `ds`, in that order, into a new dataset called `name`. */
function gather(ds: ImageDataset, indices: ArrayLike<number>, name: string): ImageDataset {
  const size = featuresOf(ds);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name, count: indices.length, images, labels };
}

/**
 * Holds out `validationCount` training examples: the first `validationCount` entries of the
 * permutation of STREAMS.validationSplit (src/base/streams.ts) form the validation set in permutation order;
 * the remaining examples stay in the training set in ascending original order.
 */
export function splitValidation(
  train: ImageDataset,
  validationCount: number,
  seed: number,
): { train: ImageDataset; validation: ImageDataset } {
  if (!Number.isInteger(validationCount) || validationCount < 0 || validationCount >= train.count) {
    throw new UsageError(
      `validation size ${validationCount} does not fit ${train.name} with ${train.count} examples; ` +
        `set it to an integer from 0 to ${train.count - 1}`,
    );
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new UsageError(`seed ${seed} is not an integer in [0, 2^32); use such an integer seed`);
  }
  const order = STREAMS.validationSplit.rng(seed).permutation(train.count);
  const held = order.subarray(0, validationCount);
  const isHeld = new Uint8Array(train.count);
  for (const i of held) isHeld[i] = 1;
  const kept = new Uint32Array(train.count - validationCount);
  let k = 0;
  for (let i = 0; i < train.count; i++) if (!isHeld[i]) kept[k++] = i;
  const base = train.name.replace(/\/train$/, "");
  return {
    train: gather(train, kept, train.name),
    validation: gather(train, held, `${base}/validation`),
  };
}

/** The first `n` examples of `ds` (all of them when n >= count): a cap for CI-size runs. */
export function takeFirst(ds: ImageDataset, n: number): ImageDataset {
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `example cap ${n} for ${ds.name} is not a positive integer; use a whole number of examples`,
    );
  }
  if (n >= ds.count) return ds;
  const size = featuresOf(ds);
  return {
    ...ds,
    count: n,
    images: ds.images.slice(0, n * size),
    labels: ds.labels.slice(0, n),
  };
}

import assert from "node:assert/strict";
import { UsageError } from "../../src/base/errors.ts";
import type { ImageDataset } from "../../src/data/dataset.ts";
import { splitValidation, takeFirst } from "../../src/data/split.ts";

/** count 2x2 images; image i stores i in its first two pixels (low byte, high byte). */
function synthetic(count: number): ImageDataset {
  const images = new Uint8Array(count * 4);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images[i * 4] = i & 0xff;
    images[i * 4 + 1] = i >> 8;
    images[i * 4 + 2] = 0xa5;
    labels[i] = i % 10;
  }
  return { name: "toy/train", count, rows: 2, cols: 2, classes: 10, images, labels };
}

/** Original indices of the examples of `ds`, checking each label travelled with its image. */
function indicesOf(ds: ImageDataset): number[] {
  const out: number[] = [];
  for (let k = 0; k < ds.count; k++) {
    const i = ds.images[k * 4] + 256 * ds.images[k * 4 + 1];
    assert.equal(ds.images[k * 4 + 2], 0xa5);
    assert.equal(ds.labels[k], i % 10);
    out.push(i);
  }
  return out;
}

Deno.test("splitValidation gives disjoint sets whose union is the training set", () => {
  const ds = synthetic(2000);
  const { train, validation } = splitValidation(ds, 300, 11);
  assert.deepEqual(validation.count, 300);
  assert.deepEqual(train.count, 1700);
  assert.deepEqual(validation.name, "toy/validation");
  assert.deepEqual(train.name, "toy/train");
  const t = indicesOf(train);
  const v = indicesOf(validation);
  assert.deepEqual(new Set([...t, ...v]).size, 2000);
  // Training keeps ascending original order; validation is in permutation order.
  assert.deepEqual(t, [...t].sort((a, b) => a - b));
  assert.notDeepEqual(v, [...v].sort((a, b) => a - b));
  assert.deepEqual(ds.count, 2000);
});

Deno.test("splitValidation is deterministic per seed and differs across seeds", () => {
  const ds = synthetic(2000);
  const a = splitValidation(ds, 100, 5);
  const b = splitValidation(ds, 100, 5);
  const c = splitValidation(ds, 100, 6);
  assert.deepEqual(a.validation.images, b.validation.images);
  assert.deepEqual(a.train.labels, b.train.labels);
  assert.notDeepEqual(indicesOf(a.validation), indicesOf(c.validation));
});

Deno.test("splitValidation rejects sizes and seeds out of range", () => {
  const ds = synthetic(50);
  for (const bad of [-1, 50, 51, 2.5]) {
    assert.throws(() => splitValidation(ds, bad, 1), UsageError);
  }
  assert.throws(() => splitValidation(ds, 5, -1), UsageError);
  assert(splitValidation(ds, 0, 1).validation.count === 0);
});

Deno.test("takeFirst caps a dataset", () => {
  const ds = synthetic(30);
  const head = takeFirst(ds, 12);
  assert.deepEqual(head.count, 12);
  assert.deepEqual(head.images.length, 48);
  assert.deepEqual(indicesOf(head), Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual(takeFirst(ds, 100), ds);
  assert.throws(() => takeFirst(ds, 0), UsageError);
  assert.throws(() => takeFirst(ds, 1.5), UsageError);
});

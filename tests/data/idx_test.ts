import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UsageError } from "../../src/base/errors.ts";
import { parseIdx, readIdxFile } from "../../src/data/idx.ts";
import { sha256Hex } from "../../src/base/checksum.ts";

/** An unsigned-byte IDX file with the given dims and data i mod 251. */
function idxBytes(dims: number[]): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) bytes[4 + 4 * dims.length + i] = i % 251;
  return bytes;
}

/** assert.throws with a predicate: a UsageError whose message contains every fragment. */
function usageErrorWith(...fragments: string[]) {
  return (error: unknown) => {
    if (!(error instanceof UsageError)) return false;
    for (const f of fragments) {
      if (!error.message.includes(f)) throw new Error(`message lacks "${f}": ${error.message}`);
    }
    return true;
  };
}

Deno.test("parseIdx reads dims and data of a good file", () => {
  const parsed = parseIdx(idxBytes([3, 2, 4]), "good");
  assert.deepEqual(parsed.dims, [3, 2, 4]);
  assert.deepEqual(parsed.data.length, 24);
  assert.deepEqual(parsed.data[23], 23);
  assert.deepEqual(parsed.data.byteOffset, 0);
});

Deno.test("parseIdx rejects a truncated file, naming file, size and declared shape", () => {
  const bytes = idxBytes([10, 28, 28]).subarray(0, 1234);
  assert.throws(
    () => parseIdx(bytes, "t10k-images-idx3-ubyte"),
    usageErrorWith("t10k-images-idx3-ubyte", "1234 bytes", "10x28x28", "7856", "truncated"),
  );
});

Deno.test("parseIdx rejects a header cut short", () => {
  assert.throws(() => parseIdx(idxBytes([5, 5, 5]).subarray(0, 10), "f"), usageErrorWith("header"));
  assert.throws(() => parseIdx(new Uint8Array([0, 0]), "f"), usageErrorWith("2 bytes"));
});

Deno.test("parseIdx rejects trailing bytes", () => {
  const good = idxBytes([4, 2]);
  const long = new Uint8Array(good.length + 3);
  long.set(good);
  assert.throws(() => parseIdx(long, "labels"), usageErrorWith("labels", "3 trailing bytes"));
});

Deno.test("parseIdx rejects a wrong magic, type or dimension count", () => {
  const bad = idxBytes([4]);
  bad[1] = 0x12;
  assert.throws(() => parseIdx(bad, "x"), usageErrorWith("x", "0x12", "not an IDX file"));
  const floats = idxBytes([4]);
  floats[2] = 0x0d;
  assert.throws(() => parseIdx(floats, "x"), usageErrorWith("0x0d", "0x08"));
  const zeroDims = idxBytes([4]);
  zeroDims[3] = 0;
  assert.throws(() => parseIdx(zeroDims, "x"), usageErrorWith("0 dimensions"));
  const fiveDims = idxBytes([1, 1, 1, 1, 1]);
  assert.throws(() => parseIdx(fiveDims, "x"), usageErrorWith("5 dimensions"));
});

Deno.test("readIdxFile reads raw and gzipped files and hashes the stored bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = idxBytes([6, 3, 3]);
    const gz = new Uint8Array(gzipSync(raw));
    await Deno.writeFile(join(dir, "a-idx3-ubyte"), raw);
    await Deno.writeFile(join(dir, "a-idx3-ubyte.gz"), gz);
    // Gzip detected by magic when the name has no .gz.
    await Deno.writeFile(join(dir, "b-idx3-ubyte"), gz);
    const fromRaw = await readIdxFile(join(dir, "a-idx3-ubyte"));
    const fromGz = await readIdxFile(join(dir, "a-idx3-ubyte.gz"));
    const fromMagic = await readIdxFile(join(dir, "b-idx3-ubyte"));
    for (const f of [fromRaw, fromGz, fromMagic]) {
      assert.deepEqual(f.dims, [6, 3, 3]);
      assert.deepEqual(f.data, raw.slice(16));
    }
    assert.deepEqual(fromRaw.sha256, sha256Hex(raw));
    assert.deepEqual(fromGz.sha256, sha256Hex(gz));
    assert.deepEqual(fromRaw.sha256.length, 64);

    await Deno.writeFile(join(dir, "c.gz"), gz.subarray(0, 10));
    await assert.rejects(() => readIdxFile(join(dir, "c.gz")), usageErrorWith("c.gz", "gunzip"));
    await assert.rejects(() => readIdxFile(join(dir, "absent")), usageErrorWith("absent"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
